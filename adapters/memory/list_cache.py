"""InMemoryListCache: capped, sorted id lists (cached newsfeeds) that can be switched off."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from adapters.memory.expiring import ExpiringDict
from core.ports.clock import Clock
from core.ports.list_cache import ListCache

log = logging.getLogger(__name__)
_Change = Callable[[list[int]], list[int]]


class InMemoryListCache(ListCache):
    """Lists of ids kept distinct and newest first, at most `cap` long. A list expires
    `ttl_seconds` after it was cached whole (None: never). With `available = False` it acts
    as an unreachable cache: every list is missing and writes are dropped."""

    def __init__(self, clock: Clock, ttl_seconds: float | None = None) -> None:
        self._lists: ExpiringDict[list[int]] = ExpiringDict(clock)
        self._ttl = ttl_seconds
        self.available = True

    def get(self, key: str) -> list[int] | None:
        if not self._reachable():
            return None
        found = self._lists.get(key)
        return list(found) if found is not None else None

    def replace(self, key: str, ids: Sequence[int], cap: int) -> None:
        if self._reachable():
            self._lists.set(key, _newest(ids, cap), self._ttl)

    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        if self._reachable():
            for key in keys:
                self._change(key, lambda ids: _newest([*ids, item_id], cap))

    def remove(self, keys: Sequence[str], item_id: int) -> None:
        if self._reachable():
            for key in keys:
                self._change(key, lambda ids: [i for i in ids if i != item_id])

    def delete(self, keys: Sequence[str]) -> None:
        if self._reachable():
            for key in keys:
                self._lists.delete(key)

    def _change(self, key: str, how: _Change) -> None:
        found = self._lists.get(key)
        if found is not None:  # uncached lists stay uncached
            self._lists.keep(key, how(found))

    def _reachable(self) -> bool:
        if not self.available:
            log.warning("list cache unavailable; behaving as empty")
        return self.available


def _newest(ids: Iterable[int], cap: int) -> list[int]:
    return sorted(set(ids), reverse=True)[: max(cap, 0)]

