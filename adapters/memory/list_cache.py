"""InMemoryListCache: the in-process list cache (capped newsfeed id lists), with fill leases."""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from adapters.memory.expiring import ExpiringDict
from adapters.memory.switch import Switch
from core.ports.clock import Clock
from core.ports.list_cache import CachedList, ListCache

DAY_SECONDS = 24 * 60 * 60
LEASE_SECONDS = 60


@dataclass(slots=True)
class _Lease:
    token: str
    # What happened to each id since the lease began: True pushed, False removed (last wins).
    marks: dict[int, bool] = field(default_factory=dict)


class InMemoryListCache(Switch, ListCache):
    """Lists kept distinct and newest first, each expiring `ttl_seconds` after its fill (None:
    never), at most `max_lists` of them, least recently used going first. Each call holds
    one lock, so a call is atomic as a Redis script is."""

    def __init__(
        self, clock: Clock, ttl_seconds: float | None = DAY_SECONDS, max_lists: int = 10_000
    ) -> None:
        super().__init__()
        self._lists: ExpiringDict[CachedList] = ExpiringDict(clock, max_lists)
        self._leases: ExpiringDict[_Lease] = ExpiringDict(clock)
        self._ttl = ttl_seconds
        self._tokens = itertools.count(1)
        self._lock = threading.Lock()

    def get(self, key: str) -> CachedList | None:
        if not self.reachable():
            return None
        with self._lock:
            found = self._lists.get(key)
        return None if found is None else CachedList(ids=list(found.ids), whole=found.whole)

    def lease(self, key: str) -> str:
        if not self.reachable():
            return ""
        with self._lock:
            if self._lists.get(key) is not None:
                return ""  # filled meanwhile: the fill will find it cached and do nothing
            held = self._leases.get(key)
            if held is None:
                held = _Lease(token=str(next(self._tokens)))
                self._leases.set(key, held, LEASE_SECONDS)
            return held.token

    def fill(self, key: str, lease: str, ids: Sequence[int], cap: int, *, whole: bool) -> None:
        self._interleave("fill")
        if not self.reachable():
            return
        with self._lock:
            held = self._leases.get(key)
            if held is None or held.token != lease or self._lists.get(key) is not None:
                return
            self._leases.delete(key)
            self._lists.set(key, _filled(ids, held.marks, cap, whole=whole), self._ttl)

    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        self._edit(keys, item_id, lambda cached: _pushed(cached, item_id, cap), present=True)

    def remove(self, keys: Sequence[str], item_id: int) -> None:
        def without(cached: CachedList) -> CachedList:
            return CachedList(ids=[i for i in cached.ids if i != item_id], whole=cached.whole)

        self._edit(keys, item_id, without, present=False)

    def _edit(
        self,
        keys: Sequence[str],
        item_id: int,
        change: Callable[[CachedList], CachedList],
        *,
        present: bool,
    ) -> None:
        """Change each cached list of `keys`; a list being rebuilt under a lease instead
        records whether `item_id` must be in it when the rebuild fills it."""
        if not self.reachable():
            return
        with self._lock:
            for key in keys:
                cached = self._lists.get(key)
                if cached is not None:
                    self._lists.replace(key, change(cached))
                elif (held := self._leases.get(key)) is not None:
                    held.marks[item_id] = present

    def delete(self, keys: Sequence[str]) -> None:
        if not self.reachable():
            return
        with self._lock:
            for key in keys:
                self._lists.delete(key)
                self._leases.delete(key)


def _filled(ids: Iterable[int], marks: Mapping[int, bool], cap: int, *, whole: bool) -> CachedList:
    """What a store read becomes with the pushes and removals recorded during the fill."""
    read = set(ids)
    floor = min(read, default=None)
    # A partial read holds nothing below its floor, so a late push of an older id stays out.
    late = {i for i, kept in marks.items() if kept and (whole or (floor is not None and i > floor))}
    gone = {i for i, kept in marks.items() if not kept}
    return _capped(sorted((read | late) - gone, reverse=True), cap, whole=whole)


def _pushed(cached: CachedList, item_id: int, cap: int) -> CachedList:
    """`cached` with `item_id` in its place, unless it is there already or below the floor
    of a list that is not whole (the store keeps those)."""
    if item_id in cached.ids:
        return cached
    if not cached.whole and (not cached.ids or item_id < cached.ids[-1]):
        return cached
    return _capped(sorted([*cached.ids, item_id], reverse=True), cap, whole=cached.whole)


def _capped(newest_first: list[int], cap: int, *, whole: bool) -> CachedList:
    cap = max(cap, 0)
    return CachedList(ids=newest_first[:cap], whole=whole and len(newest_first) <= cap)
