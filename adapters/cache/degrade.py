"""Degradation for cache adapters: a failing cache logs one warning and behaves as empty,
and a write it lost is made good before the cache is used again."""

from __future__ import annotations

import functools
import inspect
import logging
import threading
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

LOG = logging.getLogger("chirp.cache")

F = TypeVar("F", bound=Callable[..., Any])
# Past this many keys a process stops listing them and drops its whole namespace instead.
LOST_KEYS_LIMIT = 100_000


class CacheBehind(Exception):
    """Another thread is making good this process's lost writes: do not use the cache yet."""


class LostWrites:
    """The keys of cache writes (pushes, sets, invalidations) that failed in this process.

    The lost-write rule: a failed write leaves the cache holding what it held before, which
    is stale once the cache answers again with its data (after a partition or a stall). So
    the keys are remembered, and every later call of the adapter first drops them (`drop`;
    `drop_all` drops the namespace once more than `limit` were remembered). Until that
    succeeds no call reads or writes the cache: each behaves as on an empty cache. A dead
    cache costs a call one failed attempt, as before: the drop is tried instead of the call,
    and while one thread tries, the others do not wait for it (CacheBehind). A dropped key
    is rebuilt from the store by the next read. Another process is told nothing: it may
    serve the stale entry until this process's next call, and if this process dies first,
    until the entry's ttl.
    """

    def __init__(
        self,
        drop: Callable[[list[str]], None],
        drop_all: Callable[[], None],
        *,
        limit: int = LOST_KEYS_LIMIT,
    ) -> None:
        self._drop, self._drop_all = drop, drop_all
        self._limit = limit
        self._keys: set[str] = set()
        self._overflowed = False
        self._lock = threading.Lock()  # held by the thread making good
        self._keys_lock = threading.Lock()

    def remember(self, keys: Iterable[str]) -> None:
        with self._keys_lock:
            if not self._overflowed:
                self._keys.update(keys)
                if len(self._keys) > self._limit:
                    self._overflowed, self._keys = True, set()

    def make_good(self) -> None:
        """Return when nothing is owed; drop what is, or raise (the drop's error, or
        CacheBehind while another thread drops)."""
        if not self._keys and not self._overflowed:  # the common case: no lock, no trip
            return
        if not self._lock.acquire(blocking=False):
            raise CacheBehind("lost writes are being made good")
        try:
            # The keys stay owed until dropped: a reader in another thread meanwhile must
            # not take the cache for settled.
            with self._keys_lock:
                keys, overflowed = set(self._keys), self._overflowed
            if overflowed:
                self._drop_all()
            elif keys:
                self._drop(sorted(keys))
            with self._keys_lock:
                self._keys -= keys
                self._overflowed = self._overflowed and not overflowed
            LOG.warning("cache answers again: dropped %s", _owed(keys, overflowed))
        finally:
            self._lock.release()


def _owed(keys: set[str], overflowed: bool) -> str:
    return "its whole namespace" if overflowed else f"{len(keys)} key(s) it missed writes to"


def degrades_to(
    empty: Callable[[], object],
    errors: tuple[type[BaseException], ...],
    *,
    writes: bool = False,
    settles: bool = True,
) -> Callable[[F], F]:
    """Wrap an adapter method so `errors` log one warning and return `empty()` instead.

    The store is the truth and a cache is an optimisation: a down cache must slow requests,
    never fail them. On an adapter with a `lost` attribute (LostWrites), the method first
    makes good the writes lost earlier (unless `settles` is False); with `writes`, the keys
    of its first argument (a sequence of keys or a mapping by key) are remembered as lost
    when it fails.
    """
    caught: tuple[type[BaseException], ...] = (*errors, CacheBehind)

    def wrap(method: F) -> F:
        first = list(inspect.signature(method).parameters)[1]  # the one after self

        @functools.wraps(method)
        def guarded(self: object, *args: Any, **kwargs: Any) -> Any:
            lost: LostWrites | None = getattr(self, "lost", None)
            try:
                if lost is not None and settles:
                    lost.make_good()
                return method(self, *args, **kwargs)
            except caught as exc:
                if writes and lost is not None:
                    lost.remember(list(args[0] if args else kwargs[first]))
                LOG.warning(
                    "%s.%s failed, behaving as an empty cache: %s: %s",
                    type(self).__name__,
                    method.__name__,
                    type(exc).__name__,
                    exc,
                )
                return empty()

        return guarded  # type: ignore[return-value]

    return wrap
