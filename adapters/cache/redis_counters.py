"""RedisCounters: cached integer counts in Redis strings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

import redis

from adapters.cache.clients import drop_prefix
from adapters.cache.degrade import LostWrites, degrades_to
from core.ports.counters import Counters


class RedisCounters(Counters):
    """One Redis string per count: MGET to read, pipelined SET EX to write, DEL to drop."""

    def __init__(self, client: redis.Redis, prefix: str = "chirp:count:") -> None:
        self._client = client
        self._prefix = prefix
        self.lost = LostWrites(self._drop, lambda: drop_prefix(client, prefix))

    def _key(self, key: str) -> bytes:
        return (self._prefix + key).encode()

    @degrades_to(dict, (redis.RedisError,))
    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        values = cast(list[bytes | None], self._client.mget([self._key(key) for key in wanted]))
        return {key: int(value) for key, value in zip(wanted, values, strict=True) if value}

    @degrades_to(lambda: None, (redis.RedisError,), writes=True)
    def set_many(self, values: Mapping[str, int], ttl_seconds: int) -> None:
        if not values:
            return
        if ttl_seconds <= 0:
            # Redis refuses SET EX 0; "cache for at most no time" means drop what is there.
            self._client.delete(*[self._key(key) for key in values])
            return
        with self._client.pipeline(transaction=False) as pipe:
            for key, value in values.items():
                pipe.set(self._key(key), int(value), ex=ttl_seconds)
            pipe.execute()

    @degrades_to(lambda: None, (redis.RedisError,), writes=True)
    def delete_many(self, keys: Sequence[str]) -> None:
        self._drop(keys)

    def _drop(self, keys: Sequence[str]) -> None:
        if keys:
            self._client.delete(*[self._key(key) for key in keys])
