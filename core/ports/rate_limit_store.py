"""RateLimitStore port: atomic counters of requests per window."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol


class RateLimitStore(Protocol):
    """Window counters by key. Not part of the unit of work. A down store raises Unavailable."""

    @abstractmethod
    def hit(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        """Add one to each (key, ttl_seconds) counter atomically, creating it with that ttl
        when absent; the new counts in the same order, in one round trip."""
