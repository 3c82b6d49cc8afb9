"""Client factories and readiness pings for Redis and Memcached; nothing connects on import."""

from __future__ import annotations

from collections.abc import Iterator

import redis
from pymemcache.client.base import PooledClient
from pymemcache.exceptions import MemcacheError

from core.domain.errors import Unavailable

# A dead cache must cost a request half a second at most, not the OS default of minutes.
CONNECT_TIMEOUT_SECONDS = 0.5
READ_TIMEOUT_SECONDS = 0.5


def make_redis(
    url: str,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    timeout: float = READ_TIMEOUT_SECONDS,
) -> redis.Redis:
    """A pooled Redis client for `url` (bytes in and out); connects lazily on first use."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=connect_timeout,
        socket_timeout=timeout,
        decode_responses=False,
        health_check_interval=30,
    )


def make_memcached(
    host: str,
    port: int,
    *,
    connect_timeout: float = CONNECT_TIMEOUT_SECONDS,
    timeout: float = READ_TIMEOUT_SECONDS,
    max_pool_size: int | None = None,
) -> PooledClient:
    """A thread-safe pooled Memcached client of raw bytes; connects lazily on first use."""
    return PooledClient(
        (host, port),
        connect_timeout=connect_timeout,
        timeout=timeout,
        no_delay=True,
        # The adapters log and degrade themselves; the client must not hide errors.
        ignore_exc=False,
        # Writes wait for the reply, so a read right after a write on another pooled
        # connection sees it.
        default_noreply=False,
        max_pool_size=max_pool_size,
    )


def redis_resource(url: str) -> Iterator[redis.Redis]:
    """A Redis client for the lifetime of a container; its pool is closed at shutdown."""
    client = make_redis(url)
    try:
        yield client
    finally:
        client.close()


def memcached_resource(host: str, port: int) -> Iterator[PooledClient]:
    """A Memcached client for the lifetime of a container; its sockets close at shutdown."""
    client = make_memcached(host, port)
    try:
        yield client
    finally:
        client.close()


def drop_prefix(client: redis.Redis, prefix: str, batch: int = 1000) -> None:
    """Delete every key under `prefix`, a batch at a time (SCAN does not block the server)."""
    names: list[bytes] = []
    for name in client.scan_iter(match=prefix.replace("*", r"\*") + "*", count=batch):
        names.append(name)
        if len(names) >= batch:
            client.unlink(*names)
            names = []
    if names:
        client.unlink(*names)


def ping_redis(client: redis.Redis) -> None:
    """Return when Redis answers PING; raise Unavailable naming it otherwise."""
    try:
        client.ping()
    except redis.RedisError as exc:
        raise Unavailable(f"redis is unavailable: {exc}") from exc


def ping_memcached(client: PooledClient) -> None:
    """Return when Memcached answers VERSION; raise Unavailable naming it otherwise."""
    try:
        client.version()
    except (MemcacheError, OSError) as exc:
        raise Unavailable(f"memcached is unavailable: {exc}") from exc
