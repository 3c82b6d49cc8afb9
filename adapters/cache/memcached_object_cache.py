"""MemcachedObjectCache: domain objects as versioned JSON in Memcached, many keys a round trip."""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from collections.abc import Mapping, Sequence
from typing import TypeAlias, cast

from pymemcache.client.base import Client, PooledClient
from pymemcache.client.hash import HashClient
from pymemcache.exceptions import MemcacheError

from adapters.cache.degrade import LOG, LostWrites, degrades_to
from core.domain.codec import UnreadableValue, decode, encode
from core.ports.object_cache import FillLease, ObjectCache

# Memcached reads an expiry above 30 days as a Unix timestamp, not as seconds from now.
MAX_RELATIVE_TTL = 30 * 24 * 60 * 60
# Memcached refuses items over 1 MiB by default (-I); the margin covers key and header.
DEFAULT_MAX_VALUE_BYTES = 1024 * 1024 - 1024
_SAFE_PREFIX = re.compile(r"[!-~]{0,150}")
MEMCACHED_ERRORS = (MemcacheError, OSError)
STAMP_BYTES = 8
# Stamps outlive the values they guard (an hour at most in chirp); an expired stamp only
# costs a miss.
STAMP_SECONDS = 24 * 60 * 60
# How many keys' hashed names a process keeps (about 200 bytes each).
NAMES_REMEMBERED = 100_000
MemcacheClient: TypeAlias = "Client | PooledClient | HashClient"


class MemcachedObjectCache(ObjectCache):
    """Objects in the cache codec's JSON (core.domain.codec) under `prefix` + a hash of the
    caller's key, each behind a stamp. What is read from Memcached is only ever parsed as
    data, never run: a value that does not decode (garbage, an older version, the binary
    objects of older chirp) is a miss, and the next fill replaces it.

    Hashing keeps every key at a fixed length far under Memcached's 250 bytes and free of
    spaces and control characters, whatever the caller's key holds.

    The fill rule, with only bulk commands (pymemcache's add and cas take one key per round
    trip, which would make a page cost a trip per object): every key has a stamp key holding
    a random token, and a value is stored as the token it was written under + its JSON.
    `get_many` reads values and stamps together and serves a value only while its token is
    the stamp's. A write or an invalidation puts a fresh stamp, so a fill under the lease's
    older token is never served; a missing stamp (evicted, expired) serves nothing.
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
        self._names: dict[str, tuple[str, str]] = {}
        # Memcached cannot list a prefix: past the lost-key limit the whole server is flushed.
        self.lost = LostWrites(self._invalidate, client.flush_all)

    def item_keys(self, key: str) -> tuple[str, str]:
        """The Memcached keys of `key`'s value and of its stamp, for an operator (or a test)
        looking at raw items."""
        return self._key(key), self._stamp_key(key)

    def _key(self, key: str) -> str:
        return self._names_of(key)[0]

    def _stamp_key(self, key: str) -> str:
        return self._names_of(key)[1]

    def _names_of(self, key: str) -> tuple[str, str]:
        """The Memcached keys of `key`'s value and stamp, hashed once per key: a read hashed
        each key four times, about 3% of a feed page's CPU on full."""
        names = self._names.get(key)
        if names is None:
            if len(self._names) >= NAMES_REMEMBERED:
                self._names.clear()  # bounded; the hot keys come back within a page or two
            value = self._prefix + hashlib.blake2b(key.encode(), digest_size=20).hexdigest()
            names = self._names[key] = (value, value + ":s")
        return names

    @degrades_to(dict, MEMCACHED_ERRORS)
    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return {}
        names = [self._names_of(k) for k in wanted]
        found = self._client.get_many([n for pair in names for n in pair])
        objects: dict[str, object] = {}
        for key, (value_name, stamp_name) in zip(wanted, names, strict=True):
            raw, stamp = found.get(value_name), found.get(stamp_name)
            if raw is None or stamp is None or raw[:STAMP_BYTES] != stamp:
                continue
            try:
                objects[key] = decode(raw[STAMP_BYTES:])
            except UnreadableValue as exc:  # a miss, not an outage
                LOG.warning("memcached value of %r is unreadable, treated as a miss: %s", key, exc)
        return objects

    @degrades_to(lambda: None, MEMCACHED_ERRORS, writes=True)
    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        if not items:
            return
        if ttl_seconds <= 0:
            # Memcached reads 0 as "never expires"; "at most no time" means invalidate.
            self._invalidate(list(items))
            return
        payload: dict[str, bytes] = {}
        for key, raw in self._encoded(items).items():
            stamp = _fresh_stamp()
            payload[self._stamp_key(key)] = stamp
            payload[self._key(key)] = stamp + raw
        self._store(payload, ttl_seconds)

    @degrades_to(FillLease, MEMCACHED_ERRORS)
    def lease(self, keys: Sequence[str]) -> FillLease:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return FillLease()
        stamps = self._client.get_many([self._stamp_key(k) for k in wanted])
        marks: dict[str, object] = {k: stamps.get(self._stamp_key(k)) for k in wanted}
        fresh = {k: _fresh_stamp() for k, stamp in marks.items() if stamp is None}
        if fresh:
            # A blind set may overwrite an invalidation's stamp landing just now: harmless,
            # because the store is read after this call and so sees that write.
            self._store({self._stamp_key(k): s for k, s in fresh.items()}, STAMP_SECONDS)
            marks.update(fresh)
        return FillLease(marks)

    # A fill lands only under its lease's stamp; a lost invalidation is made good by the
    # next call, which drops what a fill put meanwhile.
    @degrades_to(lambda: None, MEMCACHED_ERRORS, settles=False)
    def fill(self, lease: FillLease, items: Mapping[str, object], ttl_seconds: int) -> None:
        leased = {k: v for k, v in items.items() if isinstance(lease.marks.get(k), bytes)}
        if not leased or ttl_seconds <= 0:
            return
        payload = {
            self._key(key): cast(bytes, lease.marks[key]) + raw
            for key, raw in self._encoded(leased).items()
        }
        self._store(payload, ttl_seconds)

    @degrades_to(lambda: None, MEMCACHED_ERRORS, writes=True)
    def delete_many(self, keys: Sequence[str]) -> None:
        self._invalidate(list(dict.fromkeys(keys)))

    def _invalidate(self, keys: Sequence[str]) -> None:
        # A fresh stamp, not a delete: a fill under the old one must stay unserved, and the
        # old value goes with its ttl or the next fill.
        if keys:
            self._store({self._stamp_key(k): _fresh_stamp() for k in keys}, STAMP_SECONDS)

    def _store(self, payload: Mapping[str, bytes], ttl_seconds: int) -> None:
        failed = self._client.set_many(dict(payload), expire=self._expiry(ttl_seconds))
        if failed:
            LOG.warning("memcached did not store %d of %d keys", len(failed), len(payload))

    def _encoded(self, items: Mapping[str, object]) -> dict[str, bytes]:
        payload: dict[str, bytes] = {}
        for key, value in items.items():
            raw = encode(value)
            if len(raw) + STAMP_BYTES > self._max_value_bytes:
                # Memcached would refuse it mid-batch and fail the whole batch.
                LOG.warning("object %r is %d bytes, too large to cache", key, len(raw))
                continue
            payload[key] = raw
        return payload

    @staticmethod
    def _expiry(ttl_seconds: int) -> int:
        if ttl_seconds <= MAX_RELATIVE_TTL:
            return ttl_seconds
        return int(time.time()) + ttl_seconds


def _fresh_stamp() -> bytes:
    return secrets.token_bytes(STAMP_BYTES)
