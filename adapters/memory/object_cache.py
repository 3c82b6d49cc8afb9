"""InMemoryObjectCache: the in-process object cache (an LRU with ttls), with fill leases."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import cast

from adapters.memory.expiring import ExpiringDict
from adapters.memory.switch import Switch
from core.domain.codec import UnreadableValue, decode, encode
from core.ports.clock import Clock
from core.ports.object_cache import FillLease, ObjectCache

LEASE_SECONDS = 60
_Mark = tuple[int, datetime]  # (write sequence when leased, when the lease lapses)


class InMemoryObjectCache(Switch, ObjectCache):
    """Objects encoded in and out by the cache codec (core.domain.codec), as Memcached
    holds them, so no caller shares a mutable object with another and a type the codec
    cannot write fails here too; at most `max_items`, least recently used going first. A
    value that does not decode is a miss.

    Every write or invalidation of a key takes the next number of one sequence and keeps it
    for LEASE_SECONDS; a lease remembers the sequence when it began, and a fill skips keys
    written since. A lease older than LEASE_SECONDS lapses, so no older write is forgotten.
    """

    def __init__(self, clock: Clock, max_items: int = 10_000) -> None:
        super().__init__()
        self._clock = clock
        self._values: ExpiringDict[bytes] = ExpiringDict(clock, max_items)
        self._writes: ExpiringDict[int] = ExpiringDict(clock)
        self._sequence = 0
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        if not self.reachable():
            return {}
        with self._lock:
            found = {key: self._values.get(key) for key in keys}
        return _decoded(found)

    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        if self.reachable():
            self._store(_encoded(items), ttl_seconds)

    def write_raw(self, key: str, raw: bytes, ttl_seconds: int) -> None:
        """Test hook: store bytes as they are, as a foreign writer or an older chirp may
        have left them under a key."""
        self._store({key: raw}, ttl_seconds)

    def lease(self, keys: Sequence[str]) -> FillLease:
        if not self.reachable():
            return FillLease()
        lapses = self._clock.now() + timedelta(seconds=LEASE_SECONDS)
        with self._lock:
            return FillLease({key: (self._sequence, lapses) for key in keys})

    def fill(self, lease: FillLease, items: Mapping[str, object], ttl_seconds: int) -> None:
        self._interleave("fill")
        if not self.reachable():
            return
        encoded = _encoded(items)
        now = self._clock.now()
        with self._lock:
            for key, raw in encoded.items():
                mark = cast("_Mark | None", lease.marks.get(key))
                if mark is None or mark[1] <= now:
                    continue
                last_write = self._writes.get(key)
                if last_write is None or last_write <= mark[0]:
                    self._values.set(key, raw, ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        if self.reachable():
            self._store(dict.fromkeys(keys, b""), 0)  # a ttl of 0 drops the key

    def _store(self, values: Mapping[str, bytes], ttl_seconds: int) -> None:
        with self._lock:
            for key, raw in values.items():
                self._sequence += 1
                self._writes.set(key, self._sequence, LEASE_SECONDS)
                self._values.set(key, raw, ttl_seconds)


def _encoded(items: Mapping[str, object]) -> dict[str, bytes]:
    return {key: encode(value) for key, value in items.items()}


def _decoded(found: Mapping[str, bytes | None]) -> dict[str, object]:
    objects: dict[str, object] = {}
    for key, raw in found.items():
        if raw is None:
            continue
        try:
            objects[key] = decode(raw)
        except UnreadableValue:
            continue  # a miss: the caller reads the store and fills the key again
    return objects
