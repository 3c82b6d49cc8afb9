"""SharedStampObjectCache: each process's own objects, kept coherent by a shared stamp file."""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import NamedTuple

from adapters.cache.stamp_table import StampTable
from core.domain.codec import UnreadableValue, decode, encode
from core.domain.tweets import Tweet
from core.domain.users import UserSummary
from core.ports.clock import Clock
from core.ports.object_cache import FillLease, ObjectCache

LOG = logging.getLogger("chirp.cache")
DEFAULT_MAX_ITEMS = 10_000
# Bounds how long an entry outlives a write whose stamp bump never came (its process died
# between commit and invalidation), whatever ttl the caller asked for.
DEFAULT_MAX_AGE_SECONDS = 300.0


class _Entry(NamedTuple):
    held: object  # a UserSummary, a private Tweet, or the codec's bytes of anything else
    slot: int
    stamp: int  # the slot's stamp when the value's store read began
    expires: float  # POSIX seconds on the cache's clock


class _Mark(NamedTuple):
    slot: int
    stamp: int
    leased_at: float


class SharedStampObjectCache(ObjectCache):
    """Objects kept in this process's memory (at most `max_items`, least recently used going
    first), each served only while the stamp of its key's slot in a StampTable shared by
    every process of the data folder is the one it was read under.

    - Writes: `set_many` and `delete_many` bump their keys' slots, so every process drops
      its entries of them; the writer keeps what it set under the stamp its own bump made.
    - The fill rule: a lease records each key's stamp (and when) before the store is read; a
      fill keeps a key only under that stamp, and `get_many` rechecks the stamp on every
      hit, so an invalidation landing even after the fill's check still wins. A key sharing
      a slot with a written key misses once, harmlessly.
    - Age: an entry lives at most `max_age` seconds from its lease (or its set), whatever
      its ttl, which bounds what a writer that died between its commit and its bump (or
      anything writing the store without the services) can leave served.
    - Values: a UserSummary is frozen and served as it is; a Tweet is copied in and out
      (mutable: `edit`, counts), field by field, so a hit costs no decode; anything else
      is held as the cache codec's bytes (type-checked at the write, as every adapter
      does) and decoded on each hit, and bytes that do not decode are a miss.
    - A stamp file that cannot be made or mapped (a missing or read-only data folder) leaves
      this process caching nothing, with a warning, and its bumps lost: other processes may
      then serve what it wrote over for up to `max_age`.
    - Thread-safe (one lock around the entries, never held across anything that yields).
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        clock: Clock,
        *,
        max_items: int = DEFAULT_MAX_ITEMS,
        max_age: float = DEFAULT_MAX_AGE_SECONDS,
        table: StampTable | None = None,
    ) -> None:
        if max_items < 1:
            raise ValueError("max_items must be at least 1")
        self.table = table if table is not None else StampTable(path)
        self._clock = clock
        self._max_items = max_items
        self._max_age = max_age
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._warned = False

    def get_many(self, keys: Sequence[str]) -> dict[str, object]:
        stamps = self._stamps()
        if stamps is None or not keys:
            return {}
        now = self._now()
        held: dict[str, object] = {}
        with self._lock:
            entries = self._entries
            for key in keys:
                entry = entries.get(key)
                if entry is None:
                    continue
                value, slot, stamp, expires = entry
                if stamps[slot] != stamp or expires <= now:
                    del entries[key]  # another process wrote it, or it aged out
                    continue
                entries.move_to_end(key)
                held[key] = value
        return _served(held)

    def set_many(self, items: Mapping[str, object], ttl_seconds: int) -> None:
        if not items or self._stamps() is None:
            return
        held = {key: _held(value) for key, value in items.items()}
        slots = {key: self.table.slot_of(key) for key in held}
        bumped = self.table.bump(slots.values())
        now = self._now()
        expires = now + min(ttl_seconds, self._max_age)
        self._keep(
            {
                key: _Entry(value, slots[key], bumped[slots[key]], expires)
                for key, value in held.items()
            },
            now,
        )

    def write_raw(self, key: str, raw: bytes, ttl_seconds: int) -> None:
        """Test hook: hold bytes as they are under `key`'s current stamp, as if a foreign
        writer or an older chirp had cached them."""
        slot = self.table.slot_of(key)
        stamp = self.table.stamps()[slot]
        now = self._now()
        self._keep({key: _Entry(raw, slot, stamp, now + ttl_seconds)}, now)

    def lease(self, keys: Sequence[str]) -> FillLease:
        stamps = self._stamps()
        if stamps is None or not keys:
            return FillLease()
        now = self._now()
        slot_of = self.table.slot_of
        marks: dict[str, object] = {}
        for key in keys:
            slot = slot_of(key)
            marks[key] = _Mark(slot, stamps[slot], now)
        return FillLease(marks)

    def fill(self, lease: FillLease, items: Mapping[str, object], ttl_seconds: int) -> None:
        stamps = self._stamps()
        if stamps is None or not items:
            return
        now = self._now()
        kept: dict[str, _Entry] = {}
        for key, value in items.items():
            mark = lease.marks.get(key)
            # A moved stamp: the key was written after the lease, so this value may be older.
            if not isinstance(mark, _Mark) or stamps[mark.slot] != mark.stamp:
                continue
            expires = min(now + ttl_seconds, mark.leased_at + self._max_age)
            kept[key] = _Entry(_held(value), mark.slot, mark.stamp, expires)
        self._keep(kept, now)

    def delete_many(self, keys: Sequence[str]) -> None:
        if not keys or self._stamps() is None:
            return
        self.table.bump(self.table.slot_of(key) for key in keys)
        with self._lock:
            for key in keys:
                self._entries.pop(key, None)

    def _keep(self, entries: Mapping[str, _Entry], now: float) -> None:
        with self._lock:
            for key, entry in entries.items():
                if entry.expires <= now:
                    self._entries.pop(key, None)
                    continue
                self._entries[key] = entry
                self._entries.move_to_end(key)
            while len(self._entries) > self._max_items:
                self._entries.popitem(last=False)

    def _stamps(self) -> memoryview | None:
        try:
            return self.table.stamps()
        except OSError as exc:
            if not self._warned:
                self._warned = True
                LOG.warning("object stamps unavailable, caching nothing in this process: %s", exc)
            return None

    def _now(self) -> float:
        return self._clock.now().timestamp()


def _held(value: object) -> object:
    kind = type(value)
    if kind is UserSummary:
        return value
    if kind is Tweet:
        return _copy_tweet(value)  # type: ignore[arg-type]
    return encode(value)  # a TypeError for a type the codec cannot write, as elsewhere


def _served(held: Mapping[str, object]) -> dict[str, object]:
    objects: dict[str, object] = {}
    for key, value in held.items():
        kind = type(value)
        if kind is Tweet:
            objects[key] = _copy_tweet(value)  # type: ignore[arg-type]
        elif kind is bytes:
            try:
                objects[key] = decode(value)  # type: ignore[arg-type]
            except UnreadableValue:
                continue  # a miss: the caller reads the store and fills the key again
        else:
            objects[key] = value
    return objects


def _copy_tweet(tweet: Tweet) -> Tweet:
    """A copy without __init__ (which re-checks the text): ten times cheaper than `replace`.
    Its fields are Tweet's own, so a field added to Tweet is copied too; `photos` is a tuple
    of frozen Photos, shared safely."""
    copy = object.__new__(Tweet)
    for name in _TWEET_FIELDS:
        setattr(copy, name, getattr(tweet, name))
    return copy


_TWEET_FIELDS = tuple(f.name for f in dataclasses.fields(Tweet))
