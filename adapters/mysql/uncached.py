"""Caches that keep nothing, for a SQL store read by several processes with no cache server.

The embedded profile runs one SQLite file under several processes (the server's workers,
`chirp worker`, the CLI). An in-process list or counter cache in one of them cannot hear
another's writes, so it would serve stale lists and counts; without a shared cache server,
the file itself is their cache. Objects are cached per process all the same, checked
against a shared stamp table (adapters/cache/stamped_object_cache.py); NoObjectCache
remains for a cache-less setup (tests).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from core.ports.counters import Counters
from core.ports.list_cache import CachedList, ListCache
from core.ports.object_cache import FillLease, ObjectCache


class NoObjectCache(ObjectCache):
    """Every key misses; writes, fills and invalidations are accepted and dropped."""

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        return {}

    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        return None

    def lease(self, keys: Sequence[str]) -> FillLease:
        return FillLease()

    def fill(self, lease: FillLease, items: Mapping[str, object], ttl_seconds: int) -> None:
        return None

    def delete_many(self, keys: Sequence[str]) -> None:
        return None


class NoListCache(ListCache):
    """No list is ever cached, so readers page from the store; pushes, removals and fills
    are dropped (the store has every id already)."""

    def get(self, key: str) -> CachedList | None:
        return None

    def lease(self, key: str) -> str:
        return ""

    def fill(self, key: str, lease: str, ids: Sequence[int], cap: int, *, whole: bool) -> None:
        return None

    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        return None

    def remove(self, keys: Sequence[str], item_id: int) -> None:
        return None

    def delete(self, keys: Sequence[str]) -> None:
        return None


class NoCounters(Counters):
    """Every count misses, so it is counted in the store each time."""

    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        return {}

    def lease(self, key: str) -> str:
        return ""

    def fill(self, key: str, lease: str, value: int, ttl_seconds: int) -> None:
        return None

    def delete_many(self, keys: Sequence[str]) -> None:
        return None
