"""InMemoryObjectCache: a clock-driven stand-in for Memcached that can be switched off."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping, Sequence

from adapters.memory.expiring import ExpiringDict
from core.ports.clock import Clock
from core.ports.object_cache import ObjectCache

log = logging.getLogger(__name__)


class InMemoryObjectCache(ObjectCache):
    """Objects by key with ttls on `clock`. Values are deep-copied in and out, as a real
    cache serialises them. With `available = False` it acts as an unreachable cache:
    every read misses and every write is dropped."""

    def __init__(self, clock: Clock) -> None:
        self._entries: ExpiringDict[object] = ExpiringDict(clock)
        self.available = True

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        if not self._reachable():
            return {}
        found = {key: self._entries.get(key) for key in keys}
        return {key: copy.deepcopy(value) for key, value in found.items() if value is not None}

    def get(self, key: str) -> object | None:
        """One object, or None (a convenience over get_many)."""
        return self.get_many([key]).get(key)

    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        if self._reachable():
            for key, value in items.items():
                self._entries.set(key, copy.deepcopy(value), ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        if self._reachable():
            for key in keys:
                self._entries.delete(key)

    def _reachable(self) -> bool:
        if not self.available:
            log.warning("object cache unavailable; behaving as empty")
        return self.available
