"""ObjectCache port: a shared cache of domain objects by key, filled under leases."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True, slots=True)
class FillLease:
    """When a read-through fill began, per key; the marks mean something only to the
    adapter that made them (`ObjectCache.lease`)."""

    marks: Mapping[str, object] = field(default_factory=dict)


class ObjectCache(Protocol):
    """Domain objects by string key. Not part of the unit of work. A cache that cannot be
    reached behaves as empty (misses, writes dropped) with a logged warning: the store is
    the truth.

    The fill rule: a read-through takes a `lease` on the keys it missed before it reads the
    store, and `fill`s with what it read. A key written or invalidated (`set_many`,
    `delete_many`) after its lease is not filled, or never read back, so a fill that read
    the store before a write can never hide that write's invalidation.
    """

    @abstractmethod
    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        """The cached objects among `keys` (missing keys are absent), in one round trip."""

    @abstractmethod
    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        """Cache objects for at most `ttl_seconds` whatever was there, in one round trip
        (for values no write can race; a read-through uses `lease` and `fill`)."""

    @abstractmethod
    def lease(self, keys: Sequence[str]) -> FillLease:
        """Begin a read-through fill of `keys`; call it before reading the store. At most
        two round trips. A lease not filled within about a minute may lapse."""

    @abstractmethod
    def fill(self, lease: FillLease, items: Mapping[str, object], ttl_seconds: int) -> None:
        """Cache objects read from the store after `lease`, for at most `ttl_seconds`,
        except keys outside the lease and keys written or invalidated since it began. One
        round trip."""

    @abstractmethod
    def delete_many(self, keys: Sequence[str]) -> None:
        """Invalidate keys, and fills of them under way (missing keys are fine), in one
        round trip."""
