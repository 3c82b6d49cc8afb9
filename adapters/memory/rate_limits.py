"""InMemoryRateLimitStore: window counters on an injected clock."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.expiring import ExpiringDict
from adapters.memory.switch import Switch
from core.ports.clock import Clock
from core.ports.rate_limit_store import RateLimitStore


class InMemoryRateLimitStore(Switch, RateLimitStore):
    """Counters that start with their ttl on first hit and vanish when it has passed.
    With `available = False` every hit raises Unavailable, like a store that is down."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._counts: ExpiringDict[int] = ExpiringDict(clock)

    def hit(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        self.check()
        return [self._hit_one(key, ttl) for key, ttl in keys]

    def _hit_one(self, key: str, ttl_seconds: int) -> int:
        count = self._counts.get(key)
        if count is None:
            self._counts.set(key, 1, ttl_seconds)
            return 1
        self._counts.keep(key, count + 1)
        return count + 1
