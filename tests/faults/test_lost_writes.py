"""The lost-write rule of the cache adapters (adapters/cache/degrade.py, LostWrites), forced:
a push or an invalidation that fails while the network to the cache is cut must not leave
the cache serving what it held before, once the network is back.

Each test cuts the link in front of a private server (the server keeps its data, as in a
partition), fails a write through it, heals the link, and reads. A second adapter on its
own client stands for another process: it is told nothing, so it sees the stale entry until
the adapter that lost the write makes its next call; after that it sees none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
import redis

from adapters.cache.clients import make_memcached, make_redis
from adapters.cache.memcached_object_cache import MemcachedObjectCache
from adapters.cache.redis_counters import RedisCounters
from adapters.cache.redis_list_cache import RedisListCache
from tests.faults.stack import CacheServer, Partition, PrivateMemcached, PrivateRedis

pytestmark = pytest.mark.integration
S = TypeVar("S", bound=CacheServer)


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateRedis]:
    yield from _serving(PrivateRedis(tmp_path_factory.mktemp("redis")))


@pytest.fixture(scope="module")
def memcached_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateMemcached]:
    yield from _serving(PrivateMemcached(tmp_path_factory.mktemp("memcached")))


def _serving(server: S) -> Iterator[S]:
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def redis_link(redis_server: PrivateRedis) -> Iterator[Partition]:
    link = Partition(redis_server.port)
    yield link
    link.close()


@pytest.fixture
def memcached_link(memcached_server: PrivateMemcached) -> Iterator[Partition]:
    link = Partition(memcached_server.port)
    yield link
    link.close()


def redis_through(link: Partition) -> redis.Redis:
    return make_redis(f"redis://127.0.0.1:{link.port}/0")


def test_a_push_lost_in_a_partition_drops_the_cached_feed_instead_of_serving_it_short(
    redis_link: Partition, redis_server: PrivateRedis, tmp_path: Path
) -> None:
    prefix = f"lost:{tmp_path.name}:"
    worker = RedisListCache(redis_through(redis_link), prefix)
    other = RedisListCache(make_redis(redis_server.url), prefix)
    worker.fill("feed:1", worker.lease("feed:1"), [3, 2, 1], cap=10, whole=True)
    redis_link.cut()
    worker.push(["feed:1"], 4, cap=10)  # lost: the server never hears of it
    redis_link.heal()
    stale = other.get("feed:1")
    assert stale is not None and 4 not in stale.ids  # the partition kept the old list
    assert worker.get("feed:2") is None  # any call makes the lost push good first
    assert worker.get("feed:1") is None and other.get("feed:1") is None


def test_a_delete_lost_in_a_partition_is_made_good_before_the_next_read(
    redis_link: Partition, tmp_path: Path
) -> None:
    lists = RedisListCache(redis_through(redis_link), f"lost:{tmp_path.name}:")
    lists.fill("feed:1", lists.lease("feed:1"), [2, 1], cap=10, whole=True)
    redis_link.cut()
    lists.delete(keys=["feed:1"])  # an unfollow's drop of the follower's feed, lost
    redis_link.heal()
    assert lists.get("feed:1") is None


def test_an_unread_count_whose_invalidation_was_lost_is_not_served_after_the_partition(
    redis_link: Partition, tmp_path: Path
) -> None:
    counters = RedisCounters(redis_through(redis_link), f"lost:{tmp_path.name}:")
    counters.fill("unread:1", counters.lease("unread:1"), 5, 300)
    redis_link.cut()
    counters.delete_many(["unread:1"])  # a new notification's invalidation, lost
    redis_link.heal()
    assert counters.get_many(["unread:1"]) == {}


def test_while_the_cache_is_still_unreachable_reads_miss_and_the_debt_is_kept(
    redis_link: Partition, tmp_path: Path
) -> None:
    counters = RedisCounters(redis_through(redis_link), f"lost:{tmp_path.name}:")
    counters.fill("unread:1", counters.lease("unread:1"), 5, 300)
    redis_link.cut()
    counters.delete_many(["unread:1"])
    assert counters.get_many(["unread:1"]) == {}  # making good fails too: a miss, not 5
    redis_link.heal()
    assert counters.get_many(["unread:1"]) == {}  # made good now, then read
    counters.fill("unread:1", counters.lease("unread:1"), 6, 300)
    assert counters.get_many(["unread:1"]) == {"unread:1": 6}  # nothing owed any more


def test_a_tweet_whose_invalidation_was_lost_is_not_served_from_memcached_after_it(
    memcached_link: Partition, memcached_server: PrivateMemcached, tmp_path: Path
) -> None:
    prefix = f"lost:{tmp_path.name}:"
    api = MemcachedObjectCache(make_memcached("127.0.0.1", memcached_link.port), prefix)
    other = MemcachedObjectCache(make_memcached("127.0.0.1", memcached_server.port), prefix)
    api.set_many({"tweet:1": {"likes": 1}}, ttl_seconds=3600)
    memcached_link.cut()
    api.delete_many(["tweet:1"])  # a like's forget_tweets, lost
    memcached_link.heal()
    assert other.get_many(["tweet:1"]) == {"tweet:1": {"likes": 1}}  # kept by the partition
    assert api.get_many(["tweet:1"]) == {}
    assert other.get_many(["tweet:1"]) == {}


def test_past_the_key_limit_a_process_drops_its_whole_namespace_and_nothing_else(
    redis_link: Partition, redis_server: PrivateRedis, tmp_path: Path
) -> None:
    prefix = f"lost:{tmp_path.name}:"
    lists = RedisListCache(redis_through(redis_link), prefix)
    lists.lost._limit = 2
    neighbour = make_redis(redis_server.url)
    neighbour.set(b"other:key", b"kept")
    for key in ("feed:1", "feed:2", "feed:3"):
        lists.fill(key, lists.lease(key), [1], cap=10, whole=True)
    redis_link.cut()
    lists.push(["feed:1", "feed:2", "feed:3"], 2, cap=10)  # three keys: over the limit
    redis_link.heal()
    assert lists.get("feed:3") is None
    assert list(neighbour.scan_iter(match=prefix + "*")) == []
    assert neighbour.get(b"other:key") == b"kept"
