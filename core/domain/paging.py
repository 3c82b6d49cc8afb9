"""Cursor pagination over time-ordered ids: windows, opaque cursors and pages.

A `Window` asks a store for the items strictly between `lower` and `upper` (exclusive id
bounds), at most `limit + 1` of them, newest first or oldest first. The one extra item tells
whether the page has a next one, and because ids are unique and time-ordered, paging is
exact under concurrent inserts and equal timestamps.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from core.domain import ids
from core.domain.errors import Invalid

T = TypeVar("T")
U = TypeVar("U")
DEFAULT_LIMIT, MAX_LIMIT = 20, 100
_PREFIX = "c1:"


def encode_cursor(entity_id: int) -> str:
    """An opaque cursor standing for a position just at `entity_id`."""
    return base64.urlsafe_b64encode(f"{_PREFIX}{entity_id}".encode()).decode().rstrip("=")


def decode_cursor(token: str, field: str = "cursor") -> int:
    """The id behind a cursor; a cursor we did not make is `Invalid`."""
    try:
        padded = token + "=" * (-len(token) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
        if not text.startswith(_PREFIX):
            raise ValueError(text)
        value = int(text[len(_PREFIX) :])
    except (ValueError, UnicodeError, binascii.Error) as exc:
        raise Invalid.on_field(field, f"{field} is not a valid cursor") from exc
    if not 0 <= value <= ids.MAX_ID:
        raise Invalid.on_field(field, f"{field} is not a valid cursor")
    return value


def check_limit(limit: int) -> None:
    """A page size a client may ask for: 1 to 100."""
    if not 1 <= limit <= MAX_LIMIT:
        raise Invalid.on_field("limit", f"limit must be between 1 and {MAX_LIMIT}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Window:
    """Which slice of a list to read: ids in (lower, upper), `limit` of them plus one."""

    limit: int = DEFAULT_LIMIT
    lower: int | None = None
    upper: int | None = None
    newest_first: bool = True

    def __post_init__(self) -> None:
        if self.limit < 1:
            raise Invalid.on_field("limit", "limit must be at least 1")

    @property
    def fetch(self) -> int:
        """How many items a store returns at most: one more than the page holds."""
        return self.limit + 1

    def admits(self, entity_id: int) -> bool:
        """Whether an id lies inside the window's bounds."""
        above = self.lower is None or entity_id > self.lower
        below = self.upper is None or entity_id < self.upper
        return above and below

    def pick(self, id_list: Sequence[int]) -> list[int]:
        """The ids a store returns for this window out of any list of ids (helper for fakes)."""
        inside = sorted({i for i in id_list if self.admits(i)}, reverse=self.newest_first)
        return inside[: self.fetch]

    @classmethod
    def newest(
        cls,
        *,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
        since: str | None = None,
        created_before: datetime | None = None,
        created_after: datetime | None = None,
    ) -> Window:
        """A window for a newest-first list from the API's query parameters."""
        check_limit(limit)
        upper = decode_cursor(cursor) if cursor else None
        lower = decode_cursor(since, "since") if since else None
        if created_before is not None:
            bound = ids.first_id_at(created_before)
            upper = bound if upper is None else min(upper, bound)
        if created_after is not None:
            bound = ids.last_id_at(created_after)
            lower = bound if lower is None else max(lower, bound)
        return cls(limit=limit, lower=lower, upper=upper, newest_first=lower is None)

    @classmethod
    def oldest(cls, *, limit: int = DEFAULT_LIMIT, cursor: str | None = None) -> Window:
        """A window for an oldest-first list (comments): the cursor continues to newer."""
        check_limit(limit)
        lower = decode_cursor(cursor) if cursor else None
        return cls(limit=limit, lower=lower, newest_first=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class Page(Generic[T]):
    """One page of a list, in the order the client sees, with cursors to go on."""

    results: list[T]
    has_next_page: bool
    next_cursor: str | None
    prev_cursor: str | None


def newest_first_page(window: Window, items: Sequence[T], key: Callable[[T], int]) -> Page[T]:
    """The page of a newest-first list from what a store returned for `window`.

    For a plain or `cursor` window the store gave newest first: the page is the first
    `limit`, and there is a next page when the store gave one more. For a `since` window the
    store gave oldest first (the items just above the bound): the page is those `limit`
    reversed, and `has_next_page` says whether still newer ones exist.
    """
    shown = list(items[: window.limit])
    more = len(items) > window.limit
    if not window.newest_first:
        shown.reverse()
    if not shown:
        return Page(results=[], has_next_page=False, next_cursor=None, prev_cursor=None)
    return Page(
        results=shown,
        has_next_page=more,
        next_cursor=encode_cursor(key(shown[-1])) if (more or not window.newest_first) else None,
        prev_cursor=encode_cursor(key(shown[0])),
    )


def oldest_first_page(window: Window, items: Sequence[T], key: Callable[[T], int]) -> Page[T]:
    """The page of an oldest-first list; `next_cursor` continues to newer items."""
    shown = list(items[: window.limit])
    more = len(items) > window.limit
    if not shown:
        return Page(results=[], has_next_page=False, next_cursor=None, prev_cursor=None)
    return Page(
        results=shown,
        has_next_page=more,
        next_cursor=encode_cursor(key(shown[-1])) if more else None,
        prev_cursor=None,
    )


def map_page(page: Page[T], items: list[U]) -> Page[U]:
    """The same page with its results replaced (for turning ids into objects)."""
    return Page(
        results=items,
        has_next_page=page.has_next_page,
        next_cursor=page.next_cursor,
        prev_cursor=page.prev_cursor,
    )
