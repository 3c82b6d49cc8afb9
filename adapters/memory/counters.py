"""InMemoryCounters: the in-process counts cache (an LRU with ttls)."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Sequence

from adapters.memory.expiring import ExpiringDict
from adapters.memory.switch import Switch
from core.ports.clock import Clock
from core.ports.counters import Counters

LEASE_SECONDS = 60


class InMemoryCounters(Switch, Counters):
    """Counts by key with ttls on `clock`, at most `max_items`, least recently used going
    first, like Redis strings with a ttl under an LRU eviction policy. Leases last
    LEASE_SECONDS, as on Redis."""

    def __init__(self, clock: Clock, max_items: int = 100_000) -> None:
        super().__init__()
        self._counts: ExpiringDict[int] = ExpiringDict(clock, max_items)
        self._leases: ExpiringDict[str] = ExpiringDict(clock, max_items)
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        if not self.reachable():
            return {}
        with self._lock:
            found = {key: self._counts.get(key) for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def lease(self, key: str) -> str:
        if not self.reachable():
            return ""
        with self._lock:
            held = self._leases.get(key)
            if held is None:
                held = secrets.token_hex(8)
                self._leases.set(key, held, LEASE_SECONDS)
            return held

    def fill(self, key: str, lease: str, value: int, ttl_seconds: int) -> None:
        if not lease or not self.reachable():
            return
        with self._lock:
            if self._leases.get(key) != lease:
                return
            self._leases.delete(key)
            self._counts.set(key, int(value), ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        if self.reachable():
            with self._lock:
                for key in keys:
                    self._counts.delete(key)
                    self._leases.delete(key)
