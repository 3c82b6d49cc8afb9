"""Contract of Counters: cached integer counts by key, read and invalidated in bulk."""

from __future__ import annotations

from collections.abc import Callable

from adapters.memory import FakeClock, InMemoryCounters
from core.ports.counters import Counters

LONG_TTL = 600


def test_set_counts_read_back(counters: Counters) -> None:
    counters.set_many({"tweet:1:likes": 3, "tweet:1:comments": 12}, LONG_TTL)
    assert counters.get_many(["tweet:1:likes", "tweet:1:comments"]) == {
        "tweet:1:likes": 3,
        "tweet:1:comments": 12,
    }


def test_a_zero_count_is_present_not_missing(counters: Counters) -> None:
    counters.set_many({"tweet:1:likes": 0}, LONG_TTL)
    assert counters.get_many(["tweet:1:likes"]) == {"tweet:1:likes": 0}


def test_missing_counts_are_absent(counters: Counters) -> None:
    counters.set_many({"a": 1}, LONG_TTL)
    assert counters.get_many(["b", "a", "c"]) == {"a": 1}
    assert counters.get_many([]) == {}


def test_setting_a_count_again_replaces_it(counters: Counters) -> None:
    counters.set_many({"a": 1}, LONG_TTL)
    counters.set_many({"a": 41}, LONG_TTL)
    assert counters.get_many(["a"]) == {"a": 41}


def test_large_counts_survive(counters: Counters) -> None:
    counters.set_many({"big": 2**40}, LONG_TTL)
    assert counters.get_many(["big"]) == {"big": 2**40}


def test_deleted_counts_are_gone_and_missing_ones_are_fine(counters: Counters) -> None:
    counters.set_many({"a": 1, "b": 2}, LONG_TTL)
    counters.delete_many(["a", "never"])
    counters.delete_many([])
    assert counters.get_many(["a", "b"]) == {"b": 2}


def test_a_count_is_gone_once_its_ttl_has_passed(
    counters: Counters, pass_time: Callable[[float], None]
) -> None:
    counters.set_many({"short": 1}, 1)
    counters.set_many({"long": 2}, LONG_TTL)
    pass_time(1)
    assert counters.get_many(["short", "long"]) == {"long": 2}


def test_memory_counters_switched_off_find_nothing_and_drop_writes() -> None:
    counters = InMemoryCounters(FakeClock())
    counters.set_many({"a": 1}, LONG_TTL)
    counters.available = False
    counters.set_many({"b": 2}, LONG_TTL)
    counters.delete_many(["a"])
    assert counters.get_many(["a", "b"]) == {}
    counters.available = True
    assert counters.get_many(["a", "b"]) == {"a": 1}


def test_memory_counters_forget_the_least_recently_used_count_past_their_bound() -> None:
    counters = InMemoryCounters(FakeClock(), max_items=2)
    counters.set_many({"a": 1, "b": 2}, LONG_TTL)
    counters.get_many(["a"])
    counters.set_many({"c": 3}, LONG_TTL)
    assert counters.get_many(["a", "b", "c"]) == {"a": 1, "c": 3}
