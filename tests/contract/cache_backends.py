"""Fresh cache adapters on the real servers, and the file gate store, for the contract tests."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from functools import cache
from pathlib import Path

import redis
from pymemcache.client.base import PooledClient

from adapters.cache.clients import make_memcached, make_redis, ping_memcached, ping_redis
from adapters.cache.file_gate_store import FileGateStore
from adapters.cache.memcached_object_cache import MemcachedObjectCache
from adapters.cache.redis_counters import RedisCounters
from adapters.cache.redis_gate_store import RedisGateStore
from adapters.cache.redis_list_cache import RedisListCache
from adapters.cache.redis_rate_limit_store import RedisRateLimitStore
from adapters.cache.stamped_object_cache import SharedStampObjectCache
from core.domain.errors import Unavailable
from core.ports.clock import Clock

# Database 15 keeps test keys away from a development server's data in database 0.
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
DEFAULT_MEMCACHED_HOST = "127.0.0.1"
DEFAULT_MEMCACHED_PORT = 11211
HOW_TO_START = "start the servers with `scripts/services up`"


class ServerUnreachable(RuntimeError):
    """A real-server contract test cannot run: it fails loudly, naming the server."""


def redis_url() -> str:
    """CHIRP_REDIS_URL, else database 15 on the port `scripts/services` uses."""
    port = os.environ.get("CHIRP_REDIS_PORT", "6379")
    return os.environ.get("CHIRP_REDIS_URL", DEFAULT_REDIS_URL.replace("6379", port))


def memcached_address() -> tuple[str, int]:
    """CHIRP_MEMCACHED_HOST and CHIRP_MEMCACHED_PORT (the variable `scripts/services` uses)."""
    host = os.environ.get("CHIRP_MEMCACHED_HOST", DEFAULT_MEMCACHED_HOST)
    return host, int(os.environ.get("CHIRP_MEMCACHED_PORT", DEFAULT_MEMCACHED_PORT))


@cache
def _redis() -> redis.Redis:
    client = make_redis(redis_url())
    atexit.register(_delete_test_keys, client)
    return client


@cache
def _memcached() -> PooledClient:
    return make_memcached(*memcached_address())


_redis_prefixes: list[str] = []


def _reachable_redis() -> redis.Redis:
    client = _redis()
    try:
        ping_redis(client)
    except Unavailable as exc:
        raise ServerUnreachable(
            f"Redis at {redis_url()} does not answer PING ({exc}); {HOW_TO_START}"
        ) from exc
    return client


def _reachable_memcached() -> PooledClient:
    client = _memcached()
    try:
        ping_memcached(client)
    except Unavailable as exc:
        host, port = memcached_address()
        raise ServerUnreachable(
            f"Memcached at {host}:{port} does not answer VERSION ({exc}); {HOW_TO_START}"
        ) from exc
    return client


def unique_prefix() -> str:
    """A fresh key prefix (deleted at exit); adapters given the same one share their keys."""
    prefix = f"chirp-test:{uuid.uuid4().hex[:16]}:"
    _redis_prefixes.append(prefix)
    return prefix


def _delete_test_keys(client: redis.Redis) -> None:
    # Gates have no ttl; without this every run would leave its hashes in the test database.
    try:
        for prefix in _redis_prefixes:
            keys = list(client.scan_iter(match=prefix + "*", count=1000))
            if keys:
                client.delete(*keys)
    except redis.RedisError:
        pass  # the server went away first; its keys are not ours to worry about


def make_redis_list_cache(prefix: str | None = None) -> RedisListCache:
    return RedisListCache(_reachable_redis(), prefix or unique_prefix())


def make_redis_counters() -> RedisCounters:
    return RedisCounters(_reachable_redis(), unique_prefix())


def make_redis_rate_limit_store() -> RedisRateLimitStore:
    return RedisRateLimitStore(_reachable_redis(), unique_prefix())


def make_redis_gate_store() -> RedisGateStore:
    return RedisGateStore(_reachable_redis(), unique_prefix())


def make_memcached_object_cache(prefix: str | None = None) -> MemcachedObjectCache:
    return MemcachedObjectCache(_reachable_memcached(), prefix or unique_prefix())


def make_stamped_object_cache(clock: Clock, folder: Path) -> SharedStampObjectCache:
    """The embedded profile's object cache, its stamp file in `folder` (a test's tmp_path);
    caches given the same folder share stamps, as the processes of one data folder do."""
    return SharedStampObjectCache(folder / "object-stamps", clock)


def make_file_gate_store(path: str | Path | None = None) -> FileGateStore:
    """A file-backed gate store, in a fresh temporary folder unless `path` is given."""
    if path is None:
        folder = tempfile.mkdtemp(prefix="chirp-gates-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = Path(folder) / "gates.json"
    return FileGateStore(path)
