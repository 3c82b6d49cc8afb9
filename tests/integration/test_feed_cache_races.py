"""Feed-cache races on real Redis and Memcached: threads, each on its own connection, race a
cache fill against a push or an invalidation, first in the exact bad order, then at random."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar, cast

import pytest

from core.ports.list_cache import CachedList, ListCache
from core.ports.object_cache import ObjectCache
from tests.contract import cache_backends
from tests.integration.support import run_together

pytestmark = pytest.mark.integration

KEY = "feed:1"
C = TypeVar("C")
Pair = tuple[C, C]
# Only guards against a hung test; no assertion depends on time.
DEADLOCK_SECONDS = 10


class ToyFeedStore:
    """The source of truth a feed list caches: ids, read newest first."""

    def __init__(self) -> None:
        self._ids: set[int] = set()
        self._lock = threading.Lock()

    def add(self, item_id: int) -> None:
        with self._lock:
            self._ids.add(item_id)

    def newest(self, limit: int) -> list[int]:
        with self._lock:
            return sorted(self._ids, reverse=True)[:limit]


class ToyObjectStore:
    """The source of truth an object cache caches: a version number per key, and the last
    version of each whose invalidation has finished (no read may serve an older one)."""

    def __init__(self, keys: list[str]) -> None:
        self.versions = dict.fromkeys(keys, 0)
        self.settled = dict.fromkeys(keys, 0)
        self._lock = threading.Lock()

    def bump(self, key: str) -> int:
        with self._lock:
            self.versions[key] += 1
            return self.versions[key]

    def settle(self, key: str, version: int) -> None:
        with self._lock:
            self.settled[key] = max(self.settled[key], version)

    def floor(self) -> dict[str, int]:
        with self._lock:
            return dict(self.settled)

    def read(self, keys: list[str]) -> dict[str, int]:
        with self._lock:
            return {key: self.versions[key] for key in keys}


def rebuild(
    lists: ListCache, store: ToyFeedStore, cap: int, between: Callable[[], None], key: str = KEY
) -> None:
    """What TimelineService does on a miss, with `between` run after its store read."""
    lease = lists.lease(key)
    ids = store.newest(cap + 1)
    between()
    lists.fill(key, lease, ids[:cap], cap, whole=len(ids) <= cap)


def read_through(
    cache: ObjectCache,
    store: ToyObjectStore,
    keys: list[str],
    between: Callable[[], None] = lambda: None,
) -> dict[str, object]:
    """What Lookups does: the cache, then the store for misses, filled under a lease."""
    found = cache.get_many(keys)
    missing = [key for key in keys if key not in found]
    if missing:
        lease = cache.lease(missing)
        loaded = store.read(missing)
        between()
        cache.fill(lease, loaded, 3600)
        found.update(loaded)
    return found


def handover(mine: threading.Event, theirs: threading.Event) -> None:
    """Say my step is done, then wait for theirs: forces the order of two threads."""
    mine.set()
    theirs.wait(DEADLOCK_SECONDS)


@pytest.fixture
def two_list_caches() -> Iterator[Pair[ListCache]]:
    """Two adapters on one Redis key space, as two worker processes have."""
    prefix = cache_backends.unique_prefix()
    yield (
        cache_backends.make_redis_list_cache(prefix),
        cache_backends.make_redis_list_cache(prefix),
    )


@pytest.fixture
def two_object_caches() -> Iterator[Pair[ObjectCache]]:
    prefix = cache_backends.unique_prefix()
    yield (
        cache_backends.make_memcached_object_cache(prefix),
        cache_backends.make_memcached_object_cache(prefix),
    )


def test_on_redis_a_push_between_a_rebuilds_read_and_fill_is_kept(
    two_list_caches: Pair[ListCache],
) -> None:
    reader, fanout = two_list_caches
    store, read, pushed = ToyFeedStore(), threading.Event(), threading.Event()
    store.add(10)

    def rebuild_slowly() -> None:
        rebuild(reader, store, 100, lambda: handover(read, pushed))

    def push_after_the_read() -> None:
        read.wait(DEADLOCK_SECONDS)
        store.add(20)
        fanout.push([KEY], 20, 100)
        pushed.set()

    run_together(rebuild_slowly, push_after_the_read, timeout=DEADLOCK_SECONDS)
    assert reader.get(KEY) == CachedList(ids=[20, 10], whole=True)


def test_on_redis_pushes_racing_rebuilds_of_many_feeds_all_end_up_cached(
    two_list_caches: Pair[ListCache],
) -> None:
    reader, fanout = two_list_caches
    feeds = [f"feed:{n}" for n in range(40)]
    store, cap, ids = ToyFeedStore(), 1000, itertools.count(1)

    def fan_out() -> None:
        for _ in range(60):
            item = next(ids)
            store.add(item)  # every reader follows the author
            fanout.push(feeds, item, cap)

    def rebuild_every_feed() -> None:
        for feed in feeds:
            rebuild(reader, store, cap, lambda: None, feed)

    run_together(fan_out, fan_out, rebuild_every_feed, rebuild_every_feed, timeout=DEADLOCK_SECONDS)
    expected = CachedList(ids=store.newest(cap), whole=True)
    assert {feed: reader.get(feed) for feed in feeds} == dict.fromkeys(feeds, expected)


def test_on_memcached_an_invalidation_between_a_read_and_its_fill_wins(
    two_object_caches: Pair[ObjectCache],
) -> None:
    reader, writer = two_object_caches
    store, read, written = ToyObjectStore(["tweet:1"]), threading.Event(), threading.Event()

    def read_slowly() -> None:
        read_through(reader, store, ["tweet:1"], lambda: handover(read, written))

    def write_after_the_read() -> None:
        read.wait(DEADLOCK_SECONDS)
        store.bump("tweet:1")
        writer.delete_many(["tweet:1"])
        written.set()

    run_together(read_slowly, write_after_the_read, timeout=DEADLOCK_SECONDS)
    assert reader.get_many(["tweet:1"]) == {}
    assert read_through(reader, store, ["tweet:1"]) == {"tweet:1": 1}


def test_on_memcached_no_read_serves_an_object_older_than_a_finished_write(
    two_object_caches: Pair[ObjectCache],
) -> None:
    reader, writer = two_object_caches
    keys = [f"tweet:{n}" for n in range(40)]
    store, done, stale = ToyObjectStore(keys), threading.Event(), list[str]()

    def write() -> None:
        for n in range(20 * len(keys)):
            key = keys[n % len(keys)]
            version = store.bump(key)
            writer.delete_many([key])
            store.settle(key, version)

    def read() -> None:
        while not done.is_set():
            floor = store.floor()
            found = read_through(reader, store, keys)
            stale.extend(key for key, version in found.items() if cast(int, version) < floor[key])

    readers = [threading.Thread(target=read) for _ in range(2)]
    for thread in readers:
        thread.start()
    try:
        run_together(write, write, timeout=DEADLOCK_SECONDS)
    finally:
        done.set()
        for thread in readers:
            thread.join(DEADLOCK_SECONDS)
    assert stale == []
