"""InMemoryRateLimitStore: the in-process fixed-window request counters."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from adapters.memory.expiring import ExpiringDict
from adapters.memory.switch import Switch
from core.ports.clock import Clock
from core.ports.rate_limit_store import RateLimitStore


class InMemoryRateLimitStore(Switch, RateLimitStore):
    """Counters that start with their ttl on first hit and vanish when it has passed; a hit
    of several keys happens under one lock, so it is atomic. A limiter that cannot count must
    not allow: with `available = False` every hit raises Unavailable."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        # Unbounded on purpose: evicting a live window would reset someone's limit. Dead
        # windows are swept, so memory follows the keys hit within the longest window.
        self._counts: ExpiringDict[int] = ExpiringDict(clock)
        self._lock = threading.Lock()

    def hit(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        self.check()
        with self._lock:
            return [self._hit_one(key, ttl) for key, ttl in keys]

    def _hit_one(self, key: str, ttl_seconds: int) -> int:
        count = (self._counts.get(key) or 0) + 1
        if count == 1:
            self._counts.set(key, count, max(ttl_seconds, 1))
        else:
            self._counts.replace(key, count)
        return count
