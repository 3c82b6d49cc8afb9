"""ObjectCache port: a shared cache of domain objects by key."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from typing import Protocol


class ObjectCache(Protocol):
    """Domain objects by string key. Not part of the unit of work. A cache that cannot be
    reached behaves as empty (misses, writes dropped) with a logged warning: the store is
    the truth."""

    @abstractmethod
    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        """The cached objects among `keys` (missing keys are absent), in one round trip."""

    @abstractmethod
    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        """Cache objects for at most `ttl_seconds`, in one round trip."""

    @abstractmethod
    def delete_many(self, keys: Sequence[str]) -> None:
        """Invalidate keys (missing ones are fine), in one round trip."""
