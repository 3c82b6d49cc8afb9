"""InMemoryCounters: clock-driven cached counts that can be switched off."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

from adapters.memory.expiring import ExpiringDict
from core.ports.clock import Clock
from core.ports.counters import Counters

log = logging.getLogger(__name__)


class InMemoryCounters(Counters):
    """Counts by key with ttls on `clock`. With `available = False` it acts as an
    unreachable cache: reads find nothing and writes are dropped."""

    def __init__(self, clock: Clock) -> None:
        self._counts: ExpiringDict[int] = ExpiringDict(clock)
        self.available = True

    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        if not self._reachable():
            return {}
        found = {key: self._counts.get(key) for key in keys}
        return {key: value for key, value in found.items() if value is not None}

    def set_many(self, values: Mapping[str, int], ttl_seconds: int) -> None:
        if self._reachable():
            for key, value in values.items():
                self._counts.set(key, int(value), ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        if self._reachable():
            for key in keys:
                self._counts.delete(key)

    def _reachable(self) -> bool:
        if not self.available:
            log.warning("counters unavailable; behaving as empty")
        return self.available
