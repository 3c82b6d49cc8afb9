"""Contract of RateLimitStore: per-key window counters that start with a ttl."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from adapters.memory import FakeClock, InMemoryRateLimitStore
from core.domain.errors import Unavailable
from core.ports.rate_limit_store import RateLimitStore

WINDOW = 60


def test_each_hit_counts_one_more(rate_limit_store: RateLimitStore) -> None:
    counts = [rate_limit_store.hit([("login:1.2.3.4", WINDOW)])[0] for _ in range(3)]
    assert counts == [1, 2, 3]


def test_keys_count_separately_and_answer_in_order(rate_limit_store: RateLimitStore) -> None:
    rate_limit_store.hit([("tweet:s:1", WINDOW)])
    counts = rate_limit_store.hit(
        [("tweet:m:1", WINDOW), ("tweet:s:1", WINDOW), ("tweet:s:2", WINDOW)]
    )
    assert counts == [1, 2, 1]


def test_hitting_no_keys_answers_nothing(rate_limit_store: RateLimitStore) -> None:
    assert rate_limit_store.hit([]) == []


def test_a_window_starts_over_once_its_ttl_has_passed(
    rate_limit_store: RateLimitStore, pass_time: Callable[[float], None]
) -> None:
    rate_limit_store.hit([("short", 1), ("long", WINDOW)])
    rate_limit_store.hit([("short", 1), ("long", WINDOW)])
    pass_time(1)
    assert rate_limit_store.hit([("short", 1), ("long", WINDOW)]) == [1, 3]


def test_memory_window_keeps_the_ttl_of_its_first_hit() -> None:
    clock = FakeClock()
    store = InMemoryRateLimitStore(clock)
    store.hit([("k", 10)])
    clock.advance(seconds=9)
    assert store.hit([("k", 10)]) == [2]
    clock.advance(seconds=1)
    assert store.hit([("k", 10)]) == [1]


def test_memory_store_switched_off_raises_unavailable() -> None:
    store = InMemoryRateLimitStore(FakeClock())
    store.available = False
    with pytest.raises(Unavailable):
        store.hit([("k", 10)])
