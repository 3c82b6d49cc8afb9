"""A dead cache server slows nothing and breaks nothing; dead limit and gate stores say so."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Callable, Iterator

import pytest

from adapters.cache.clients import make_memcached, make_redis, ping_memcached, ping_redis
from adapters.cache.memcached_object_cache import MemcachedObjectCache
from adapters.cache.redis_counters import RedisCounters
from adapters.cache.redis_gate_store import RedisGateStore
from adapters.cache.redis_list_cache import RedisListCache
from adapters.cache.redis_rate_limit_store import RedisRateLimitStore
from core.domain.errors import Unavailable
from core.domain.gates import Gate

pytestmark = pytest.mark.integration

# Port 1 (tcpmux) has no listener on a normal host, so every connection is refused.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"
DEAD_MEMCACHED = ("127.0.0.1", 1)
# A whole call against a dead server, retries and timeouts included, stays under this.
FAST_ENOUGH_SECONDS = 1.5


@pytest.fixture
def dead_redis():
    client = make_redis(DEAD_REDIS_URL)
    yield client
    client.close()


@pytest.fixture
def dead_memcached():
    client = make_memcached(*DEAD_MEMCACHED)
    yield client
    client.close()


@pytest.fixture
def silent_server() -> Iterator[tuple[str, int]]:
    """A listener that accepts connections (in the kernel backlog) but never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()
    listener.close()


@pytest.fixture
def cache_warnings(caplog: pytest.LogCaptureFixture) -> Iterator[Callable[[], list[str]]]:
    caplog.set_level(logging.WARNING, logger="chirp.cache")
    yield lambda: [r.getMessage() for r in caplog.records if r.name == "chirp.cache"]


def timed(call: Callable[[], object]) -> tuple[object, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def test_object_cache_on_a_dead_memcached_misses_and_warns_once_per_call(
    dead_memcached, cache_warnings
):
    cache = MemcachedObjectCache(dead_memcached, "dead:")
    result, seconds = timed(lambda: cache.get_many(["a", "b"]))
    assert result == {}
    assert seconds < FAST_ENOUGH_SECONDS
    assert len(cache_warnings()) == 1
    assert "get_many" in cache_warnings()[0]


def test_object_cache_on_a_dead_memcached_drops_writes_fills_and_deletes_quietly(
    dead_memcached, cache_warnings
):
    cache = MemcachedObjectCache(dead_memcached, "dead:")
    cache.set_many({"a": {"x": 1}}, ttl_seconds=60)
    cache.fill(cache.lease(["b"]), {"b": {"x": 2}}, ttl_seconds=60)  # the lease warns, once
    cache.delete_many(["a"])
    assert len(cache_warnings()) == 3


def test_list_cache_on_a_dead_redis_reports_nothing_cached_and_drops_writes(
    dead_redis, cache_warnings
):
    lists = RedisListCache(dead_redis, "dead:")
    result, seconds = timed(lambda: lists.get("feed:1"))
    assert result is None
    assert seconds < FAST_ENOUGH_SECONDS
    lists.fill("feed:1", lists.lease("feed:1"), [3, 2, 1], cap=10, whole=True)
    lists.push(["feed:1", "feed:2"], 4, cap=10)
    lists.remove(["feed:1"], 4)
    lists.delete(["feed:1"])
    assert len(cache_warnings()) == 6


def test_counters_on_a_dead_redis_report_no_counts_and_drop_writes(dead_redis, cache_warnings):
    counters = RedisCounters(dead_redis, "dead:")
    result, seconds = timed(lambda: counters.get_many(["likes:1", "likes:2"]))
    assert result == {}
    assert seconds < FAST_ENOUGH_SECONDS
    counters.fill("likes:1", counters.lease("likes:1"), 3, 60)  # the lease warns; no fill
    counters.delete_many(["likes:1"])
    assert len(cache_warnings()) == 3


def test_caches_that_accept_but_never_answer_give_up_after_the_short_read_timeout(
    silent_server, cache_warnings
):
    host, port = silent_server
    redis_client = make_redis(f"redis://{host}:{port}/0")
    memcached_client = make_memcached(host, port)
    lists = RedisListCache(redis_client, "silent:")
    objects = MemcachedObjectCache(memcached_client, "silent:")
    listed, list_seconds = timed(lambda: lists.get("feed:1"))
    found, object_seconds = timed(lambda: objects.get_many(["a"]))
    assert (listed, found) == (None, {})
    assert list_seconds < FAST_ENOUGH_SECONDS
    assert object_seconds < FAST_ENOUGH_SECONDS
    assert len(cache_warnings()) == 2
    redis_client.close()
    memcached_client.close()


def test_rate_limit_store_on_a_dead_redis_raises_unavailable_instead_of_allowing(dead_redis):
    store = RedisRateLimitStore(dead_redis, "dead:")
    started = time.monotonic()
    with pytest.raises(Unavailable, match="redis"):
        store.hit([("login:1.2.3.4", 1)])
    assert time.monotonic() - started < FAST_ENOUGH_SECONDS


def test_gate_store_on_a_dead_redis_raises_unavailable_for_reads_and_writes(dead_redis):
    gates = RedisGateStore(dead_redis, "dead:")
    with pytest.raises(Unavailable, match="redis"):
        gates.get("hbase_feeds")
    with pytest.raises(Unavailable, match="redis"):
        gates.put(Gate(name="hbase_feeds", percent=10))
    with pytest.raises(Unavailable, match="redis"):
        gates.all()


def test_readiness_pings_name_the_dead_server(dead_redis, dead_memcached):
    with pytest.raises(Unavailable, match="redis"):
        ping_redis(dead_redis)
    with pytest.raises(Unavailable, match="memcached"):
        ping_memcached(dead_memcached)
