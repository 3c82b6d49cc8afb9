"""InMemoryCounters: the in-process counts cache (an LRU with ttls)."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence

from adapters.memory.expiring import ExpiringDict
from adapters.memory.switch import Switch
from core.ports.clock import Clock
from core.ports.counters import Counters


class InMemoryCounters(Switch, Counters):
    """Counts by key with ttls on `clock`, at most `max_items`, least recently used going
    first, like Redis strings with a ttl under an LRU eviction policy."""

    def __init__(self, clock: Clock, max_items: int = 100_000) -> None:
        super().__init__()
        self._counts: ExpiringDict[int] = ExpiringDict(clock, max_items)
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        if not self.reachable():
            return {}
        with self._lock:
            found = {key: self._counts.get(key) for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def set_many(self, values: Mapping[str, int], ttl_seconds: int) -> None:
        if self.reachable():
            with self._lock:
                for key, value in values.items():
                    self._counts.set(key, int(value), ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        if self.reachable():
            with self._lock:
                for key in keys:
                    self._counts.delete(key)
