"""Counters port: cached integer counts."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Protocol


class Counters(Protocol):
    """Integer counts by key, a cache over counts the store keeps exactly. Not part of the
    unit of work. An unreachable backend behaves as empty with a logged warning."""

    @abstractmethod
    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        """The counts present among `keys` (missing keys are absent), in one round trip."""

    @abstractmethod
    def set_many(self, values: Mapping[str, int], ttl_seconds: int) -> None:
        """Set counts for at most `ttl_seconds`."""

    @abstractmethod
    def delete_many(self, keys: Sequence[str]) -> None:
        """Invalidate counts."""
