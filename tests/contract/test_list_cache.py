"""Contract of ListCache: capped id lists, newest first, filled under leases, whole or not."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory import FakeClock, InMemoryListCache
from core.ports.list_cache import CachedList, ListCache

CAP = 5


def cache(lists: ListCache, key: str, ids: Sequence[int], *, whole: bool = True) -> None:
    """Cache a list the way a reader rebuilds one: lease, (read the store), fill."""
    lists.fill(key, lists.lease(key), ids, CAP, whole=whole)


def whole(*ids: int) -> CachedList:
    return CachedList(ids=list(ids), whole=True)


def partial(*ids: int) -> CachedList:
    return CachedList(ids=list(ids), whole=False)


def test_an_uncached_list_gives_none(list_cache: ListCache) -> None:
    assert list_cache.get("feed:1") is None


def test_a_filled_list_reads_back_newest_first_and_distinct(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [3, 9, 1, 9, 5])
    assert list_cache.get("feed:1") == whole(9, 5, 3, 1)


def test_a_fill_keeps_only_the_newest_cap_ids_and_is_then_not_whole(
    list_cache: ListCache,
) -> None:
    cache(list_cache, "feed:1", list(range(1, 11)))
    assert list_cache.get("feed:1") == partial(10, 9, 8, 7, 6)


def test_a_fill_of_a_partial_read_is_not_whole(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [4, 3], whole=False)
    assert list_cache.get("feed:1") == partial(4, 3)


def test_an_empty_list_is_cached_as_empty_not_missing(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [])
    assert list_cache.get("feed:1") == whole()


def test_a_list_being_filled_reads_as_not_cached(list_cache: ListCache) -> None:
    list_cache.lease("feed:1")
    assert list_cache.get("feed:1") is None


def test_a_fill_of_a_list_already_cached_changes_nothing(list_cache: ListCache) -> None:
    first, second = list_cache.lease("feed:1"), list_cache.lease("feed:1")
    list_cache.fill("feed:1", first, [1, 2, 3], CAP, whole=True)
    list_cache.fill("feed:1", second, [7, 8], CAP, whole=True)
    cache(list_cache, "feed:1", [9])
    assert list_cache.get("feed:1") == whole(3, 2, 1)


def test_large_ids_survive(list_cache: ListCache) -> None:
    big = [2**62 + 1, 2**62 + 5, 2**40]
    cache(list_cache, "feed:1", big)
    assert list_cache.get("feed:1") == whole(*sorted(big, reverse=True))


def test_a_push_between_lease_and_fill_is_kept(list_cache: ListCache) -> None:
    lease = list_cache.lease("feed:1")
    list_cache.push(["feed:1"], 30, CAP)  # the store read below missed it
    list_cache.fill("feed:1", lease, [20, 10], CAP, whole=True)
    assert list_cache.get("feed:1") == whole(30, 20, 10)


def test_a_remove_between_lease_and_fill_keeps_the_id_out(list_cache: ListCache) -> None:
    lease = list_cache.lease("feed:1")
    list_cache.remove(["feed:1"], 20)  # the store read below still had it
    list_cache.fill("feed:1", lease, [20, 10], CAP, whole=True)
    assert list_cache.get("feed:1") == whole(10)


def test_the_last_of_a_push_and_a_remove_during_a_fill_wins(list_cache: ListCache) -> None:
    lease = list_cache.lease("feed:1")
    list_cache.push(["feed:1"], 30, CAP)
    list_cache.remove(["feed:1"], 30)
    list_cache.remove(["feed:1"], 40)
    list_cache.push(["feed:1"], 40, CAP)
    list_cache.fill("feed:1", lease, [10], CAP, whole=True)
    assert list_cache.get("feed:1") == whole(40, 10)


def test_a_delete_between_lease_and_fill_cancels_the_fill(list_cache: ListCache) -> None:
    lease = list_cache.lease("feed:1")
    list_cache.delete(["feed:1"])  # e.g. an unfollow committed after the store read
    list_cache.fill("feed:1", lease, [20, 10], CAP, whole=True)
    assert list_cache.get("feed:1") is None
    cache(list_cache, "feed:1", [10])
    assert list_cache.get("feed:1") == whole(10)


def test_a_late_push_below_the_floor_of_a_partial_read_stays_out(
    list_cache: ListCache,
) -> None:
    lease = list_cache.lease("feed:1")
    list_cache.push(["feed:1"], 3, CAP)  # older than anything read: the store has it
    list_cache.push(["feed:1"], 60, CAP)
    list_cache.fill("feed:1", lease, [50, 40, 30, 20, 10], CAP, whole=False)
    assert list_cache.get("feed:1") == partial(60, 50, 40, 30, 20)


def test_pushes_during_a_fill_past_the_cap_make_the_list_partial(
    list_cache: ListCache,
) -> None:
    lease = list_cache.lease("feed:1")
    for item in (60, 70):
        list_cache.push(["feed:1"], item, CAP)
    list_cache.fill("feed:1", lease, [40, 30, 20, 10], CAP, whole=True)
    assert list_cache.get("feed:1") == partial(70, 60, 40, 30, 20)


def test_push_adds_an_id_in_order_to_cached_lists(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [10, 30])
    cache(list_cache, "feed:2", [])
    list_cache.push(["feed:1", "feed:2"], 20, CAP)
    list_cache.push(["feed:1"], 40, CAP)
    assert list_cache.get("feed:1") == whole(40, 30, 20, 10)
    assert list_cache.get("feed:2") == whole(20)


def test_push_leaves_lists_neither_cached_nor_being_filled_uncached(
    list_cache: ListCache,
) -> None:
    cache(list_cache, "feed:1", [1])
    list_cache.push(["feed:1", "feed:2"], 2, CAP)
    assert list_cache.get("feed:2") is None
    assert list_cache.get("feed:1") == whole(2, 1)


def test_a_push_past_the_cap_drops_the_oldest_and_the_list_is_no_longer_whole(
    list_cache: ListCache,
) -> None:
    cache(list_cache, "feed:1", [1, 2, 3, 4, 5])
    assert list_cache.get("feed:1") == whole(5, 4, 3, 2, 1)
    list_cache.push(["feed:1"], 6, CAP)
    assert list_cache.get("feed:1") == partial(6, 5, 4, 3, 2)


def test_a_whole_list_takes_an_older_id_in_its_place(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [30, 20])
    list_cache.push(["feed:1"], 10, CAP)
    assert list_cache.get("feed:1") == whole(30, 20, 10)


def test_a_partial_list_takes_no_id_below_its_floor(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [11, 12, 13, 14, 15, 16])
    list_cache.remove(["feed:1"], 14)
    list_cache.push(["feed:1"], 3, CAP)  # the store has it; the cache must not claim 3..12
    list_cache.push(["feed:1"], 13, CAP)
    list_cache.push(["feed:1"], 14, CAP)
    assert list_cache.get("feed:1") == partial(16, 15, 14, 13, 12)


def test_removing_from_a_full_list_leaves_it_partial_not_whole(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", list(range(1, 9)))
    list_cache.remove(["feed:1"], 8)
    assert list_cache.get("feed:1") == partial(7, 6, 5, 4)


def test_a_partial_list_emptied_by_removals_stays_cached_and_partial(
    list_cache: ListCache,
) -> None:
    cache(list_cache, "feed:1", [1, 2, 3, 4, 5, 6])
    for item in (6, 5, 4, 3, 2):
        list_cache.remove(["feed:1"], item)
    list_cache.push(["feed:1"], 7, CAP)  # its place relative to the store is unknown
    assert list_cache.get("feed:1") == partial()


def test_pushing_an_id_already_there_keeps_it_once(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [1, 2])
    list_cache.push(["feed:1"], 2, CAP)
    assert list_cache.get("feed:1") == whole(2, 1)


def test_push_to_no_keys_is_harmless(list_cache: ListCache) -> None:
    list_cache.push([], 1, CAP)
    assert list_cache.get("feed:1") is None


def test_remove_takes_an_id_out_of_cached_lists(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [1, 2, 3])
    cache(list_cache, "feed:2", [2, 4])
    list_cache.remove(["feed:1", "feed:2", "feed:3"], 2)
    assert list_cache.get("feed:1") == whole(3, 1)
    assert list_cache.get("feed:2") == whole(4)
    assert list_cache.get("feed:3") is None


def test_removing_the_last_id_leaves_an_empty_cached_list(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [7])
    list_cache.remove(["feed:1"], 7)
    assert list_cache.get("feed:1") == whole()


def test_removing_an_absent_id_changes_nothing(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [1, 3])
    list_cache.remove(["feed:1"], 2)
    assert list_cache.get("feed:1") == whole(3, 1)


def test_delete_drops_whole_lists(list_cache: ListCache) -> None:
    cache(list_cache, "feed:1", [1])
    cache(list_cache, "feed:2", [2])
    list_cache.delete(["feed:1", "feed:3"])
    list_cache.delete([])
    assert list_cache.get("feed:1") is None
    assert list_cache.get("feed:2") == whole(2)


def test_memory_list_cache_switched_off_is_empty_and_drops_writes() -> None:
    lists = InMemoryListCache(FakeClock())
    cache(lists, "feed:1", [1])
    lists.available = False
    cache(lists, "feed:2", [2])
    lists.push(["feed:1"], 5, CAP)
    lists.remove(["feed:1"], 1)
    lists.delete(["feed:1"])
    assert lists.get("feed:1") is None
    lists.available = True
    assert lists.get("feed:1") == whole(1)
    assert lists.get("feed:2") is None


def test_memory_list_cache_forgets_lists_a_ttl_after_their_fill() -> None:
    clock = FakeClock()
    lists = InMemoryListCache(clock, ttl_seconds=60)
    cache(lists, "feed:1", [1])
    clock.advance(seconds=59)
    lists.push(["feed:1"], 2, CAP)
    assert lists.get("feed:1") == whole(2, 1)
    clock.advance(seconds=1)
    assert lists.get("feed:1") is None


def test_memory_list_cache_lets_an_unfilled_lease_lapse_after_a_minute() -> None:
    clock = FakeClock()
    lists = InMemoryListCache(clock)
    stale = lists.lease("feed:1")
    clock.advance(seconds=60)
    fresh = lists.lease("feed:1")
    lists.push(["feed:1"], 9, CAP)
    lists.fill("feed:1", stale, [1], CAP, whole=True)
    assert lists.get("feed:1") is None
    lists.fill("feed:1", fresh, [1], CAP, whole=True)
    assert lists.get("feed:1") == whole(9, 1)


def test_memory_list_cache_forgets_the_least_recently_used_list_past_its_bound() -> None:
    lists = InMemoryListCache(FakeClock(), max_lists=2)
    cache(lists, "feed:1", [1])
    cache(lists, "feed:2", [2])
    lists.get("feed:1")
    cache(lists, "feed:3", [3])
    assert [lists.get(f"feed:{n}") is not None for n in (1, 2, 3)] == [True, False, True]
