"""A dict whose entries expire by an injected clock: the storage of the cache fakes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Generic, TypeVar

from core.ports.clock import Clock

V = TypeVar("V")


class ExpiringDict(Generic[V]):
    """Values by key, each gone once its ttl has passed on `clock` (None ttl: kept)."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._entries: dict[str, tuple[V, datetime | None]] = {}

    def get(self, key: str) -> V | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        value, expires_at = entry
        if expires_at is not None and expires_at <= self._clock.now():
            del self._entries[key]
            return None
        return value

    def set(self, key: str, value: V, ttl_seconds: float | None) -> None:
        expires_at = None
        if ttl_seconds is not None:
            expires_at = self._clock.now() + timedelta(seconds=ttl_seconds)
        self._entries[key] = (value, expires_at)

    def keep(self, key: str, value: V) -> None:
        """Change a live value without touching its expiry."""
        if self.get(key) is not None:
            self._entries[key] = (value, self._entries[key][1])

    def delete(self, key: str) -> None:
        self._entries.pop(key, None)
