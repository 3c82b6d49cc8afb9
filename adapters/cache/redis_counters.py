"""RedisCounters: cached integer counts in Redis strings."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import cast

import redis

from adapters.cache.clients import drop_prefix
from adapters.cache.degrade import LostWrites, degrades_to
from core.ports.counters import Counters

LEASE_SECONDS = 60
# KEYS: the lease. ARGV: a new token, the lease's seconds. The held token, or the new one.
LEASE_SCRIPT = """
local held = redis.call('GET', KEYS[1])
if held then return held end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]
"""
# KEYS: the count, its lease. ARGV: token, value, ttl. Sets the count only under the lease.
FILL_SCRIPT = """
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[2])
redis.call('SET', KEYS[1], ARGV[2], 'EX', ARGV[3])
return 1
"""


class RedisCounters(Counters):
    """One Redis string per count: MGET to read, DEL to drop; a fill is a script that sets
    the count only while its lease (a string at the count's key + ":lease") still holds
    the token, so a DEL of both between the lease and the fill cancels it."""

    def __init__(self, client: redis.Redis, prefix: str = "chirp:count:") -> None:
        self._client = client
        self._prefix = prefix
        self._lease = client.register_script(LEASE_SCRIPT)
        self._fill = client.register_script(FILL_SCRIPT)
        self.lost = LostWrites(self._drop, lambda: drop_prefix(client, prefix))

    def _key(self, key: str) -> bytes:
        return (self._prefix + key).encode()

    def _lease_key(self, key: str) -> bytes:
        return (self._prefix + key + ":lease").encode()

    @degrades_to(dict, (redis.RedisError,))
    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        values = cast(list[bytes | None], self._client.mget([self._key(key) for key in wanted]))
        return {key: int(value) for key, value in zip(wanted, values, strict=True) if value}

    @degrades_to(str, (redis.RedisError,))
    def lease(self, key: str) -> str:
        held = self._lease(keys=[self._lease_key(key)], args=[secrets.token_hex(8), LEASE_SECONDS])
        return held.decode() if isinstance(held, bytes) else str(held)

    @degrades_to(lambda: None, (redis.RedisError,))
    def fill(self, key: str, lease: str, value: int, ttl_seconds: int) -> None:
        # A fill that fails is not owed: under its lease it was true when it landed, and a
        # later change's DEL (or, if that DEL is lost, the lost-write drop) removes it.
        if not lease or ttl_seconds <= 0:  # Redis refuses SET EX 0
            return
        self._fill(
            keys=[self._key(key), self._lease_key(key)], args=[lease, int(value), ttl_seconds]
        )

    @degrades_to(lambda: None, (redis.RedisError,), writes=True)
    def delete_many(self, keys: Sequence[str]) -> None:
        self._drop(keys)

    def _drop(self, keys: Sequence[str]) -> None:
        if keys:
            names = [self._key(key) for key in keys] + [self._lease_key(key) for key in keys]
            self._client.delete(*names)
