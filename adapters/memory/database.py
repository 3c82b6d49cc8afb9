"""The shared in-memory state of the relational fakes: tables as dicts, one lock, snapshots."""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from adapters.memory.switch import Interleaving
from core.domain.errors import Unavailable
from core.domain.feed import FeedItem, Job
from core.domain.paging import Window
from core.domain.social import Comment, Follow, Like, Notification, TargetType
from core.domain.tweets import Tweet
from core.domain.users import Profile, User

T = TypeVar("T")

# Fields that are not tables: never snapshotted, never restored.
_STATE_FIELDS = frozenset({"available", "lock"})


@dataclass(slots=True, kw_only=True)
class InMemoryDatabase:
    """Every relational table of chirp as a flat dict.

    Rule that makes cheap snapshots safe: a stored value is never mutated in place. Entities
    are copied on the way in and replaced (not edited) on update, so a shallow copy of each
    table is a true snapshot.
    """

    users: dict[int, User] = field(default_factory=dict)
    celebrities: set[int] = field(default_factory=set)
    profiles: dict[int, Profile] = field(default_factory=dict)
    tokens: dict[str, tuple[int, datetime]] = field(default_factory=dict)
    tweets: dict[int, Tweet] = field(default_factory=dict)
    follows: dict[tuple[int, int], Follow] = field(default_factory=dict)
    feeds: dict[tuple[int, int], FeedItem] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    likes: dict[tuple[int, TargetType, int], Like] = field(default_factory=dict)
    notifications: dict[int, Notification] = field(default_factory=dict)
    outbox: dict[int, Job] = field(default_factory=dict)
    idempotency: dict[tuple[int, str], tuple[int, datetime]] = field(default_factory=dict)
    available: bool = True
    lock: threading.RLock = field(default_factory=threading.RLock)

    def snapshot(self) -> dict[str, Any]:
        """A copy of every table, to restore on rollback."""
        return {f.name: copy.copy(getattr(self, f.name)) for f in self._tables()}

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Put the tables back as they were when `snapshot` was taken."""
        for name, table in snapshot.items():
            setattr(self, name, table)

    @classmethod
    def _tables(cls) -> list[Any]:
        return [f for f in fields(cls) if f.name not in _STATE_FIELDS]


class Bound(Interleaving):
    """Base of the relational fakes: a view on one database that can be switched off.

    A follow or feed store over a database of its own (no unit of work) stands in for a
    second store that writes at once, like HBase; `before` forces races into its writes.
    """

    def __init__(self, db: InMemoryDatabase) -> None:
        super().__init__()
        self._db = db

    @property
    def db(self) -> InMemoryDatabase:
        """The database, or Unavailable when a test has taken it down."""
        if not self._db.available:
            raise Unavailable("the in-memory database is switched off")
        return self._db


def copied(entity: T) -> T:
    """A detached copy, so callers and the store never share a mutable object."""
    return copy.copy(entity)


def in_window(items: Iterable[T], key: Callable[[T], int], window: Window) -> list[T]:
    """The items a store returns for `window`, by the id `key` gives, copied."""
    by_id = {key(item): item for item in items}
    return [copied(by_id[i]) for i in window.pick(list(by_id))]
