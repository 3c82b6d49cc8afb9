"""The Window cases every list method of every store must answer the same way."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from core.domain.paging import Window

Ids = list[int]


@dataclass(frozen=True)
class WindowCase:
    """A window over five ids (given oldest first) and the ids a store must return."""

    name: str
    window: Callable[[Ids], Window]
    expected: Callable[[Ids], Ids]


WINDOW_CASES = [
    WindowCase(
        "newest_first_returns_limit_plus_one",
        lambda i: Window(limit=2),
        lambda i: [i[4], i[3], i[2]],
    ),
    WindowCase(
        "newest_first_below_an_exclusive_upper_bound",
        lambda i: Window(limit=2, upper=i[3]),
        lambda i: [i[2], i[1], i[0]],
    ),
    WindowCase(
        "oldest_first_above_an_exclusive_lower_bound",
        lambda i: Window(limit=2, lower=i[0], newest_first=False),
        lambda i: [i[1], i[2], i[3]],
    ),
    WindowCase(
        "oldest_first_without_bounds",
        lambda i: Window(limit=3, newest_first=False),
        lambda i: i[:4],
    ),
    WindowCase(
        "between_two_exclusive_bounds",
        lambda i: Window(limit=10, lower=i[0], upper=i[4]),
        lambda i: [i[3], i[2], i[1]],
    ),
    WindowCase(
        "fewer_than_the_limit_when_the_list_runs_out",
        lambda i: Window(limit=10, upper=i[2]),
        lambda i: [i[1], i[0]],
    ),
    WindowCase(
        "empty_when_the_bounds_exclude_everything",
        lambda i: Window(limit=5, lower=i[4]),
        lambda i: [],
    ),
]


def window_cases() -> pytest.MarkDecorator:
    """Parametrise a test over every case as `case`."""
    return pytest.mark.parametrize("case", WINDOW_CASES, ids=[c.name for c in WINDOW_CASES])


def walk(read: Callable[[Window], Ids], *, newest_first: bool, limit: int = 2) -> Ids:
    """Every id of a list, read page by page the way clients page: each next window starts
    past the last id shown (newest first: below it; oldest first: above it)."""
    seen: Ids = []
    bound: int | None = None
    while True:
        if newest_first:
            window = Window(limit=limit, upper=bound)
        else:
            window = Window(limit=limit, lower=bound, newest_first=False)
        page = read(window)
        seen.extend(page[:limit])
        if len(page) <= limit:
            return seen
        bound = page[limit - 1]
