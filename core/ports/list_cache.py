"""ListCache port: capped lists of ids (cached newsfeeds)."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol


class ListCache(Protocol):
    """Lists of ids by key, each holding at most `cap` ids. Not part of the unit of work.
    A cache that cannot be reached behaves as empty with a logged warning."""

    @abstractmethod
    def get(self, key: str) -> list[int] | None:
        """The ids of a cached list newest first (sorted, distinct), or None when not cached."""

    @abstractmethod
    def replace(self, key: str, ids: Sequence[int], cap: int) -> None:
        """Cache a whole list (its newest `cap` ids), replacing what was there."""

    @abstractmethod
    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        """Add an id to each list of `keys` that is cached (uncached ones stay uncached),
        dropping the oldest past `cap`; in one round trip."""

    @abstractmethod
    def remove(self, keys: Sequence[str], item_id: int) -> None:
        """Take an id out of each cached list of `keys`, in one round trip."""

    @abstractmethod
    def delete(self, keys: Sequence[str]) -> None:
        """Drop whole lists from the cache."""
