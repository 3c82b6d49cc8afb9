"""Embedded cache adapters: thread-safe in-process equivalents of the Redis and Memcached ones."""

from __future__ import annotations

import bisect
import fcntl
import json
import os
import pickle
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from adapters.cache.gate_codec import gate_from_settings, gate_settings
from core.domain.errors import Unavailable
from core.domain.gates import Gate
from core.ports.counters import Counters
from core.ports.gate_store import GateStore
from core.ports.list_cache import ListCache
from core.ports.object_cache import ObjectCache
from core.ports.rate_limit_store import RateLimitStore

Clock = Callable[[], float]
DAY_SECONDS = 24 * 60 * 60
_MISSING = object()


class _TtlLru:
    """An LRU map whose entries also die at a deadline; not thread-safe (callers lock)."""

    def __init__(self, max_items: int, clock: Clock) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self._entries: OrderedDict[str, tuple[float, Any]] = OrderedDict()
        self._max_items = max_items
        self._clock = clock

    def get(self, key: str) -> Any:
        entry = self._entries.get(key)
        if entry is None:
            return _MISSING
        if entry[0] <= self._clock():
            del self._entries[key]
            return _MISSING
        self._entries.move_to_end(key)
        return entry[1]

    def put(self, key: str, value: Any, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            self._entries.pop(key, None)
            return
        self._entries[key] = (self._clock() + ttl_seconds, value)
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_items:
            self._entries.popitem(last=False)

    def replace_value(self, key: str, value: Any) -> None:
        """Change a live entry's value, keeping its deadline."""
        deadline, _ = self._entries[key]
        self._entries[key] = (deadline, value)

    def delete(self, key: str) -> None:
        self._entries.pop(key, None)


class LocalLruObjectCache(ObjectCache):
    """Objects stored pickled, so a caller never shares a mutable object with another."""

    def __init__(self, max_items: int = 10_000, clock: Clock = time.monotonic) -> None:
        self._lru = _TtlLru(max_items, clock)
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        with self._lock:
            found = {key: self._lru.get(key) for key in keys}
        return {key: pickle.loads(raw) for key, raw in found.items() if raw is not _MISSING}

    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        pickled = {key: pickle.dumps(value, protocol=5) for key, value in items.items()}
        with self._lock:
            for key, raw in pickled.items():
                self._lru.put(key, raw, ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._lru.delete(key)


class LocalListCache(ListCache):
    """Capped id lists kept sorted newest first; a list expires `ttl_seconds` after replace."""

    def __init__(
        self,
        max_lists: int = 10_000,
        ttl_seconds: int = DAY_SECONDS,
        clock: Clock = time.monotonic,
    ) -> None:
        self._lru = _TtlLru(max_lists, clock)
        self._ttl = ttl_seconds
        self._lock = threading.Lock()

    def get(self, key: str) -> list[int] | None:
        with self._lock:
            ids = self._lru.get(key)
        return None if ids is _MISSING else list(ids)

    def replace(self, key: str, ids: Sequence[int], cap: int) -> None:
        newest = tuple(sorted(set(ids), reverse=True)[: max(cap, 0)])
        with self._lock:
            self._lru.put(key, newest, self._ttl)

    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        with self._lock:
            for key in keys:
                ids = self._lru.get(key)
                if ids is not _MISSING:
                    self._lru.replace_value(key, _inserted(ids, item_id, cap))

    def remove(self, keys: Sequence[str], item_id: int) -> None:
        with self._lock:
            for key in keys:
                ids = self._lru.get(key)
                if ids is not _MISSING and item_id in ids:
                    self._lru.replace_value(key, tuple(i for i in ids if i != item_id))

    def delete(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._lru.delete(key)


def _inserted(ids: tuple[int, ...], item_id: int, cap: int) -> tuple[int, ...]:
    """`ids` (newest first) with `item_id` in its place, cut to the newest `cap`."""
    grown = list(ids)
    if item_id not in ids:
        bisect.insort(grown, item_id, key=lambda i: -i)
    return tuple(grown[: max(cap, 0)])


class LocalCounters(Counters):
    """Counts in an LRU with deadlines, like Redis strings with a ttl."""

    def __init__(self, max_items: int = 100_000, clock: Clock = time.monotonic) -> None:
        self._lru = _TtlLru(max_items, clock)
        self._lock = threading.Lock()

    def get_many(self, keys: Sequence[str]) -> dict[str, int]:
        with self._lock:
            found = {key: self._lru.get(key) for key in keys}
        return {key: value for key, value in found.items() if value is not _MISSING}

    def set_many(self, values: Mapping[str, int], ttl_seconds: int) -> None:
        with self._lock:
            for key, value in values.items():
                self._lru.put(key, int(value), ttl_seconds)

    def delete_many(self, keys: Sequence[str]) -> None:
        with self._lock:
            for key in keys:
                self._lru.delete(key)


class LocalRateLimitStore(RateLimitStore):
    """Fixed-window counters; a whole hit happens under one lock, so it is atomic."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self._sweep_at = 1024

    def hit(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        with self._lock:
            now = self._clock()
            counts = [self._hit_one(key, ttl, now) for key, ttl in keys]
            self._sweep(now)
        return counts

    def _hit_one(self, key: str, ttl_seconds: int, now: float) -> int:
        deadline, count = self._windows.get(key, (now, 0))
        if deadline <= now:
            deadline, count = now + max(ttl_seconds, 1), 0
        self._windows[key] = (deadline, count + 1)
        return count + 1

    def _sweep(self, now: float) -> None:
        # Dead windows are dropped in bulk, rarely, so memory stays bounded by live keys.
        if len(self._windows) < self._sweep_at:
            return
        self._windows = {k: w for k, w in self._windows.items() if w[0] > now}
        self._sweep_at = max(1024, 2 * len(self._windows))


class LocalGateStore(GateStore):
    """Gates in memory, and in a JSON file when `path` is given.

    The file lets the CLI (`chirp gates set`) and the server process share gates: every read
    reloads it when it changed, and a write holds a lock file, re-reads, then replaces the
    file atomically, so concurrent writers lose nothing and readers never see half a file.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        self._path = Path(path) if path is not None else None
        self._gates: dict[str, Gate] = {}
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def get(self, name: str) -> Gate | None:
        with self._lock, _unavailable_on_io_error():
            self._reload_if_changed()
            return self._gates.get(name)

    def put(self, gate: Gate) -> None:
        with self._lock, _unavailable_on_io_error(), self._file_lock():
            self._reload_if_changed()
            self._gates[gate.name] = gate
            self._write()

    def all(self) -> list[Gate]:
        with self._lock, _unavailable_on_io_error():
            self._reload_if_changed()
            return [self._gates[name] for name in sorted(self._gates)]

    def _reload_if_changed(self) -> None:
        if self._path is None:
            return
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            self._gates, self._seen = {}, None
            return
        # A write replaces the file, so a new inode, mtime or size means new content.
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if signature != self._seen:
            body = json.loads(self._path.read_text(encoding="utf-8") or "{}")
            gates = body.get("gates", {})
            self._gates = {name: gate_from_settings(name, gates[name]) for name in gates}
            self._seen = signature

    def _write(self) -> None:
        if self._path is None:
            return
        body = {"gates": {name: gate_settings(g) for name, g in sorted(self._gates.items())}}
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=f".{self._path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(body, out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        stat = self._path.stat()
        self._seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        if self._path is None:
            yield
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._path.with_name(self._path.name + ".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def _unavailable_on_io_error() -> Iterator[None]:
    try:
        yield
    except (OSError, ValueError) as exc:
        raise Unavailable(f"gate file is unavailable: {exc}") from exc
