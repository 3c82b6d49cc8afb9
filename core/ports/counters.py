"""Counters port: cached integer counts."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol


class Counters(Protocol):
    """Integer counts by key, a cache over counts the store keeps exactly. Not part of the
    unit of work. An unreachable backend behaves as empty with a logged warning.

    - A count is cached by `lease` (before reading the store) then `fill`. A `delete_many`
      of the key in between cancels the lease, so a fill never caches a count read before
      a change whose invalidation already ran (the fill-vs-invalidation race).
    """

    @abstractmethod
    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        """The counts present among `keys` (missing keys are absent), in one round trip."""

    @abstractmethod
    def lease(self, key: str) -> str:
        """Begin filling `key`; call it before reading the store. The token to pass to
        `fill` (concurrent fillers share one; the first fill wins). Empty when no fill would
        be kept (the backend is unreachable or there is none): skip the fill."""

    @abstractmethod
    def fill(self, key: str, lease: str, value: int, ttl_seconds: int) -> None:
        """Cache `value`, read from the store after `lease`, for at most `ttl_seconds`.
        Does nothing when the lease was cancelled, lapsed or already filled."""

    @abstractmethod
    def delete_many(self, keys: Sequence[str]) -> None:
        """Invalidate counts, and cancel their leases."""
