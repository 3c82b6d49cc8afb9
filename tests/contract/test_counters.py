"""Contract of Counters: cached integer counts by key, filled under leases, read and
invalidated in bulk."""

from __future__ import annotations

from collections.abc import Callable

from adapters.memory import FakeClock, InMemoryCounters
from core.ports.counters import Counters

LONG_TTL = 600


def put(counters: Counters, values: dict[str, int], ttl_seconds: int) -> None:
    """Cache each count the way a reader does: lease, then fill."""
    for key, value in values.items():
        counters.fill(key, counters.lease(key), value, ttl_seconds)


def test_set_counts_read_back(counters: Counters) -> None:
    put(counters, {"tweet:1:likes": 3, "tweet:1:comments": 12}, LONG_TTL)
    assert counters.get_many(["tweet:1:likes", "tweet:1:comments"]) == {
        "tweet:1:likes": 3,
        "tweet:1:comments": 12,
    }


def test_a_zero_count_is_present_not_missing(counters: Counters) -> None:
    put(counters, {"tweet:1:likes": 0}, LONG_TTL)
    assert counters.get_many(["tweet:1:likes"]) == {"tweet:1:likes": 0}


def test_missing_counts_are_absent(counters: Counters) -> None:
    put(counters, {"a": 1}, LONG_TTL)
    assert counters.get_many(["b", "a", "c"]) == {"a": 1}
    assert counters.get_many([]) == {}


def test_setting_a_count_again_replaces_it(counters: Counters) -> None:
    put(counters, {"a": 1}, LONG_TTL)
    put(counters, {"a": 41}, LONG_TTL)
    assert counters.get_many(["a"]) == {"a": 41}


def test_large_counts_survive(counters: Counters) -> None:
    put(counters, {"big": 2**40}, LONG_TTL)
    assert counters.get_many(["big"]) == {"big": 2**40}


def test_deleted_counts_are_gone_and_missing_ones_are_fine(counters: Counters) -> None:
    put(counters, {"a": 1, "b": 2}, LONG_TTL)
    counters.delete_many(["a", "never"])
    counters.delete_many([])
    assert counters.get_many(["a", "b"]) == {"b": 2}


def test_a_count_is_gone_once_its_ttl_has_passed(
    counters: Counters, pass_time: Callable[[float], None]
) -> None:
    put(counters, {"short": 1}, 1)
    put(counters, {"long": 2}, LONG_TTL)
    pass_time(1)
    assert counters.get_many(["short", "long"]) == {"long": 2}


def test_a_fill_after_an_invalidation_of_its_key_caches_nothing(counters: Counters) -> None:
    lease = counters.lease("unread:1")  # a reader missed and is about to count
    counters.delete_many(["unread:1"])  # a new notification committed meanwhile
    counters.fill("unread:1", lease, 52, LONG_TTL)  # the count read before it
    assert counters.get_many(["unread:1"]) == {}
    put(counters, {"unread:1": 53}, LONG_TTL)  # the next reader's fill is kept
    assert counters.get_many(["unread:1"]) == {"unread:1": 53}


def test_concurrent_fillers_share_a_lease_and_the_first_fill_wins(counters: Counters) -> None:
    first, second = counters.lease("a"), counters.lease("a")
    assert first and first == second
    counters.fill("a", first, 1, LONG_TTL)
    counters.fill("a", second, 2, LONG_TTL)
    assert counters.get_many(["a"]) == {"a": 1}


def test_an_invalidation_leaves_other_keys_leases_alone(counters: Counters) -> None:
    lease = counters.lease("a")
    counters.delete_many(["b"])
    counters.fill("a", lease, 7, LONG_TTL)
    assert counters.get_many(["a"]) == {"a": 7}


def test_a_fill_without_a_lease_or_with_a_forged_one_caches_nothing(counters: Counters) -> None:
    counters.fill("a", "", 1, LONG_TTL)
    counters.lease("b")
    counters.fill("b", "not-the-token", 2, LONG_TTL)
    assert counters.get_many(["a", "b"]) == {}


def test_memory_counters_switched_off_find_nothing_and_drop_writes() -> None:
    counters = InMemoryCounters(FakeClock())
    put(counters, {"a": 1}, LONG_TTL)
    counters.available = False
    assert counters.lease("b") == ""
    put(counters, {"b": 2}, LONG_TTL)
    counters.delete_many(["a"])
    assert counters.get_many(["a", "b"]) == {}
    counters.available = True
    assert counters.get_many(["a", "b"]) == {"a": 1}


def test_memory_counters_forget_the_least_recently_used_count_past_their_bound() -> None:
    counters = InMemoryCounters(FakeClock(), max_items=2)
    put(counters, {"a": 1, "b": 2}, LONG_TTL)
    counters.get_many(["a"])
    put(counters, {"c": 3}, LONG_TTL)
    assert counters.get_many(["a", "b", "c"]) == {"a": 1, "c": 3}
