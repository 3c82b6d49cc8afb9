"""ListCache port: capped lists of ids (cached newsfeeds), filled under a lease."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True, kw_only=True)
class CachedList:
    """A cached list: its ids newest first (sorted, distinct), and whether it is `whole`.

    A whole list holds every id of the feed. A list that is not whole holds every id from
    its oldest one up (its floor); ids older than the floor are only in the store.
    """

    ids: list[int]
    whole: bool


class ListCache(Protocol):
    """Lists of ids by key, each holding at most `cap` ids. Not part of the unit of work.
    A cache that cannot be reached behaves as empty with a logged warning.

    Rules that keep a cached list coherent with the store it copies:
    - A list is built by `lease` (before reading the store) then `fill`. Between the two,
      `push` and `remove` on that key are recorded and `fill` applies them to what it read,
      so a push that raced the rebuild is never lost and a removal never undone; `delete`
      cancels the lease, so a fill never resurrects a list invalidated after its read.
    - A list knows whether it is whole. It stops being whole when `push` or `fill` drops ids
      past the cap; a list that is not whole never takes an id older than its floor, so
      "every id from the floor up" stays true, and paging past the floor reads the store.
    - Every call costs one round trip, whatever the number of keys.
    """

    @abstractmethod
    def get(self, key: str) -> CachedList | None:
        """The cached list, or None when it is not cached (also while it is being filled)."""

    @abstractmethod
    def lease(self, key: str) -> str:
        """Begin filling `key`; call it before reading the store. The lease token to pass
        to `fill` (concurrent fillers of one key share a token; the first fill wins). A lease
        left unfilled lapses after about a minute. An empty token means no fill will be kept
        (no cache, a cache that is down, or a list filled already): callers may then read
        only what they need instead of rebuilding the whole list."""

    @abstractmethod
    def fill(self, key: str, lease: str, ids: Sequence[int], cap: int, *, whole: bool) -> None:
        """Cache `ids` as read from the store after `lease`, merged with the pushes and
        removals recorded since, keeping the newest `cap`. `whole`: the read found every id
        of the feed. Does nothing when the lease was cancelled, lapsed or already filled.
        The list expires a fixed time (a day) after its fill."""

    @abstractmethod
    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        """Add an id to each list of `keys` that is cached (in order, once) or being filled
        (recorded); other keys stay uncached. Drops the oldest past `cap`. Idempotent."""

    @abstractmethod
    def remove(self, keys: Sequence[str], item_id: int) -> None:
        """Take an id out of each list of `keys` that is cached or being filled. Idempotent."""

    @abstractmethod
    def delete(self, keys: Sequence[str]) -> None:
        """Drop whole lists, and cancel their leases."""
