"""Contract of ListCache: capped id lists, newest first, changed only where cached."""

from __future__ import annotations

from adapters.memory import FakeClock, InMemoryListCache
from core.ports.list_cache import ListCache

CAP = 5


def test_an_uncached_list_gives_none(list_cache: ListCache) -> None:
    assert list_cache.get("feed:1") is None


def test_a_replaced_list_reads_back_newest_first_and_distinct(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [3, 9, 1, 9, 5], CAP)
    assert list_cache.get("feed:1") == [9, 5, 3, 1]


def test_replace_keeps_only_the_newest_cap_ids(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", list(range(1, 11)), CAP)
    assert list_cache.get("feed:1") == [10, 9, 8, 7, 6]


def test_an_empty_list_is_cached_as_empty_not_missing(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [], CAP)
    assert list_cache.get("feed:1") == []


def test_replace_throws_away_the_old_list(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1, 2, 3], CAP)
    list_cache.replace("feed:1", [7, 8], CAP)
    assert list_cache.get("feed:1") == [8, 7]


def test_large_ids_survive(list_cache: ListCache) -> None:
    big = [2**62 + 1, 2**62 + 5, 2**40]
    list_cache.replace("feed:1", big, CAP)
    assert list_cache.get("feed:1") == sorted(big, reverse=True)


def test_push_adds_an_id_in_order_to_cached_lists(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [10, 30], CAP)
    list_cache.replace("feed:2", [], CAP)
    list_cache.push(["feed:1", "feed:2"], 20, CAP)
    list_cache.push(["feed:1"], 40, CAP)
    assert list_cache.get("feed:1") == [40, 30, 20, 10]
    assert list_cache.get("feed:2") == [20]


def test_push_leaves_uncached_lists_uncached(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1], CAP)
    list_cache.push(["feed:1", "feed:2"], 2, CAP)
    assert list_cache.get("feed:2") is None
    assert list_cache.get("feed:1") == [2, 1]


def test_push_drops_the_oldest_past_the_cap(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1, 2, 3, 4, 5], CAP)
    list_cache.push(["feed:1"], 6, CAP)
    assert list_cache.get("feed:1") == [6, 5, 4, 3, 2]


def test_pushing_an_id_older_than_a_full_list_keeps_the_list(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [11, 12, 13, 14, 15], CAP)
    list_cache.push(["feed:1"], 3, CAP)
    assert list_cache.get("feed:1") == [15, 14, 13, 12, 11]


def test_pushing_an_id_already_there_keeps_it_once(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1, 2], CAP)
    list_cache.push(["feed:1"], 2, CAP)
    assert list_cache.get("feed:1") == [2, 1]


def test_push_to_no_keys_is_harmless(list_cache: ListCache) -> None:
    list_cache.push([], 1, CAP)
    assert list_cache.get("feed:1") is None


def test_remove_takes_an_id_out_of_cached_lists(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1, 2, 3], CAP)
    list_cache.replace("feed:2", [2, 4], CAP)
    list_cache.remove(["feed:1", "feed:2", "feed:3"], 2)
    assert list_cache.get("feed:1") == [3, 1]
    assert list_cache.get("feed:2") == [4]
    assert list_cache.get("feed:3") is None


def test_removing_the_last_id_leaves_an_empty_cached_list(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [7], CAP)
    list_cache.remove(["feed:1"], 7)
    assert list_cache.get("feed:1") == []


def test_removing_an_absent_id_changes_nothing(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1, 3], CAP)
    list_cache.remove(["feed:1"], 2)
    assert list_cache.get("feed:1") == [3, 1]


def test_delete_drops_whole_lists(list_cache: ListCache) -> None:
    list_cache.replace("feed:1", [1], CAP)
    list_cache.replace("feed:2", [2], CAP)
    list_cache.delete(["feed:1", "feed:3"])
    list_cache.delete([])
    assert list_cache.get("feed:1") is None
    assert list_cache.get("feed:2") == [2]


def test_memory_list_cache_switched_off_is_empty_and_drops_writes() -> None:
    cache = InMemoryListCache(FakeClock())
    cache.replace("feed:1", [1], CAP)
    cache.available = False
    cache.replace("feed:2", [2], CAP)
    cache.push(["feed:1"], 5, CAP)
    cache.remove(["feed:1"], 1)
    cache.delete(["feed:1"])
    assert cache.get("feed:1") is None
    cache.available = True
    assert cache.get("feed:1") == [1]
    assert cache.get("feed:2") is None


def test_memory_list_cache_with_a_ttl_forgets_lists_after_it() -> None:
    clock = FakeClock()
    cache = InMemoryListCache(clock, ttl_seconds=60)
    cache.replace("feed:1", [1], CAP)
    clock.advance(seconds=59)
    cache.push(["feed:1"], 2, CAP)
    assert cache.get("feed:1") == [2, 1]
    clock.advance(seconds=1)
    assert cache.get("feed:1") is None
