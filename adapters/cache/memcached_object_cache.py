"""MemcachedObjectCache: pickled domain objects in Memcached, multi-key in one round trip."""

from __future__ import annotations

import hashlib
import pickle
import re
import time
from collections.abc import Mapping, Sequence

from pymemcache.client.base import Client, PooledClient
from pymemcache.client.hash import HashClient
from pymemcache.exceptions import MemcacheError

from adapters.cache.degrade import LOG, degrades_to
from core.ports.object_cache import ObjectCache

PICKLE_PROTOCOL = 5
# Memcached reads an expiry above 30 days as a Unix timestamp, not as seconds from now.
MAX_RELATIVE_TTL = 30 * 24 * 60 * 60
# Memcached refuses items over 1 MiB by default (-I); the margin covers key and header.
DEFAULT_MAX_VALUE_BYTES = 1024 * 1024 - 1024
_SAFE_PREFIX = re.compile(r"[!-~]{0,150}")
MEMCACHED_ERRORS = (MemcacheError, OSError)
MemcacheClient = Client | PooledClient | HashClient


class MemcachedObjectCache(ObjectCache):
    """Objects pickled under `prefix` + a hash of the caller's key.

    Hashing keeps every key at a fixed length far under Memcached's 250 bytes and free of
    spaces and control characters, whatever the caller's key holds.
    """

    def __init__(
        self,
        client: MemcacheClient,
        prefix: str = "chirp:obj:",
        *,
        max_value_bytes: int = DEFAULT_MAX_VALUE_BYTES,
    ) -> None:
        if not _SAFE_PREFIX.fullmatch(prefix):
            raise ValueError("a memcached prefix is at most 150 printable ASCII, no spaces")
        self._client = client
        self._prefix = prefix
        self._max_value_bytes = max_value_bytes

    def _key(self, key: str) -> str:
        return self._prefix + hashlib.blake2b(key.encode(), digest_size=20).hexdigest()

    @degrades_to(dict, MEMCACHED_ERRORS)
    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        names = {self._key(key): key for key in keys}
        if not names:
            return {}
        found = self._client.get_many(list(names))
        objects: dict[str, object] = {}
        for name, raw in found.items():
            try:
                objects[names[name]] = pickle.loads(raw)
            except Exception as exc:  # an unreadable value is a miss, not an outage
                LOG.warning(
                    "memcached value of %r is unreadable, treated as a miss: %s", names[name], exc
                )
        return objects

    @degrades_to(lambda: None, MEMCACHED_ERRORS)
    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        if not items:
            return
        if ttl_seconds <= 0:
            # Memcached reads 0 as "never expires"; "at most no time" means drop what is there.
            self._client.delete_many([self._key(key) for key in items])
            return
        payload = self._pickled(items)
        failed = self._client.set_many(payload, expire=self._expiry(ttl_seconds))
        if failed:
            LOG.warning("memcached did not store %d of %d objects", len(failed), len(payload))

    @degrades_to(lambda: None, MEMCACHED_ERRORS)
    def delete_many(self, keys: Sequence[str]) -> None:
        names = list(dict.fromkeys(self._key(key) for key in keys))
        if names:
            self._client.delete_many(names)

    def _pickled(self, items: Mapping[str, object]) -> dict[str, bytes]:
        payload: dict[str, bytes] = {}
        for key, value in items.items():
            raw = pickle.dumps(value, protocol=PICKLE_PROTOCOL)
            if len(raw) > self._max_value_bytes:
                # Memcached would refuse it mid-batch and fail the whole batch.
                LOG.warning("object %r is %d bytes, too large to cache", key, len(raw))
                continue
            payload[self._key(key)] = raw
        return payload

    @staticmethod
    def _expiry(ttl_seconds: int) -> int:
        if ttl_seconds <= MAX_RELATIVE_TTL:
            return ttl_seconds
        return int(time.time()) + ttl_seconds
