"""ExpiringDict: values that expire on a Clock, optionally bounded by least-recent use."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from core.ports.clock import Clock

V = TypeVar("V")
# Dead entries are swept in bulk once the dict doubles past this, so memory stays bounded by
# the live keys even when nobody reads the dead ones again (rate-limit windows of old IPs).
SWEEP_FLOOR = 1024


class ExpiringDict(Generic[V]):
    """Values by key, each gone once its ttl has passed on `clock` (a None ttl: kept).

    With `max_items`, the least recently read or written entry goes first when full, as in an
    LRU cache. Not thread-safe: the caches that own one hold a lock around compound steps.
    """

    def __init__(self, clock: Clock, max_items: int | None = None) -> None:
        if max_items is not None and max_items < 1:
            raise ValueError("max_items must be at least 1")
        self._clock = clock
        self._max_items = max_items
        self._entries: OrderedDict[str, tuple[V, datetime | None]] = OrderedDict()
        self._sweep_at = SWEEP_FLOOR

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        if self._expired(entry[1], self._clock.now()):
            del self._entries[key]
            return None
        self._entries.move_to_end(key)
        return entry[0]

    def set(self, key: str, value: V, ttl_seconds: float | None) -> None:
        """Store `value` for `ttl_seconds` from now; a ttl of zero or less drops the key."""
        if ttl_seconds is not None and ttl_seconds <= 0:
            self._entries.pop(key, None)
            return
        now = self._clock.now()
        expires_at = None if ttl_seconds is None else now + timedelta(seconds=ttl_seconds)
        self._entries[key] = (value, expires_at)
        self._entries.move_to_end(key)
        if self._max_items is not None:
            while len(self._entries) > self._max_items:
                self._entries.popitem(last=False)
        self._sweep(now)

    def replace(self, key: str, value: V) -> bool:
        """Replace a live value, keeping its expiry; False (nothing stored) when absent."""
        if self.get(key) is None:
            return False
        self._entries[key] = (value, self._entries[key][1])
        return True

    def delete(self, key: str) -> None:
        self._entries.pop(key, None)

    def _sweep(self, now: datetime) -> None:
        if len(self._entries) < self._sweep_at:
            return
        for key in [k for k, (_, at) in self._entries.items() if self._expired(at, now)]:
            del self._entries[key]
        self._sweep_at = max(SWEEP_FLOOR, 2 * len(self._entries))

    @staticmethod
    def _expired(expires_at: datetime | None, now: datetime) -> bool:
        return expires_at is not None and expires_at <= now
