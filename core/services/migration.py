"""Migration: the resumable backfill of follows or feeds into the second store, and its check."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from itertools import zip_longest
from typing import TypeVar

from core.domain.errors import Conflict, Invalid
from core.domain.paging import Window
from core.domain.social import Follow
from core.ports.checkpoint_store import CheckpointStore, Position
from core.ports.feed_store import FeedStore
from core.ports.follow_store import FollowStore
from core.ports.migration_source import MigrationSource, Pair
from core.ports.unit_of_work import UnitOfWork
from core.services.mirror import StoreMirror
from core.services.stores import FEEDS_GATE, FOLLOWS_GATE, StoreRouter

T = TypeVar("T")


class Movable(StrEnum):
    """What moves to the second store."""

    FOLLOWS = "follows"
    FEEDS = "feeds"


@dataclass(frozen=True, slots=True, kw_only=True)
class Mismatch:
    """One way a user's data differs between SQL and the second store."""

    user_id: int
    what: str
    detail: str


@dataclass(frozen=True, slots=True, kw_only=True)
class UserCheck:
    """The outcome of checking one user: no mismatches means the stores agree."""

    user_id: int
    mismatches: tuple[Mismatch, ...]


def checkpoint_name(kind: Movable) -> str:
    return f"backfill {kind.value}"


class MigrationService:
    """Copies follows or feeds from SQL to the second store, and checks the copy.

    - The backfill walks SQL in primary-key order, a chunk at a time, writes each chunk with
      the mirror's write-then-check, and only then records the chunk's last key as the
      checkpoint. Killed anywhere, the next run continues after the checkpoint; a chunk cut
      short is written again, which is harmless (writes are idempotent puts of SQL's truth).
    - A backfill and the dual writes cannot leave a stale row: the backfill writes what SQL
      held when it read the chunk, then re-reads the chunk's keys and rewrites every key that
      changed meanwhile. A dual write that lands after that re-read carries a newer truth;
      one that landed before it is seen by it (StoreMirror's rule).
    - It refuses to start unless writes of its kind are mirrored (the gate is open for
      someone): a write behind the cursor would otherwise never reach the second store.
      Start it once the gate has been open longer than the longest write transaction (a
      few seconds); `verify` finds whatever slipped through.
    - `verify` walks every user. Follows: the follower counts of everyone, and for every
      `every`-th user the whole followers and followings lists, page by page. Feeds: for
      every `every`-th user the whole feed. It reports counts and the first difference.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        source: MigrationSource,
        checkpoints: CheckpointStore,
        mirror: StoreMirror,
        stores: StoreRouter,
        *,
        chunk: int = 1000,
        page: int = 500,
    ) -> None:
        if chunk < 1 or page < 1:
            raise ValueError("chunk and page must be at least 1")
        self._uow_factory = uow_factory
        self._source = source
        self._checkpoints = checkpoints
        self._mirror = mirror
        self._stores = stores
        self._chunk = chunk
        self._page = page

    def remaining(self, kind: Movable) -> int:
        """How many SQL rows lie after the checkpoint (all of them when there is none)."""
        after = self._checkpoints.get(checkpoint_name(kind))
        if kind is Movable.FOLLOWS:
            return self._source.count_follows_after(_follow_key(after))
        return self._source.count_feed_items_after(_feed_key(after))

    def restart(self, kind: Movable) -> None:
        """Forget the checkpoint: the next backfill starts from the first row."""
        self._checkpoints.clear(checkpoint_name(kind))

    def backfill(self, kind: Movable) -> Iterator[int]:
        """Copy every row after the checkpoint; yields the rows of each chunk once it landed
        and was checkpointed. Refuses at once (Conflict) while writes are not mirrored."""
        self._require_mirroring(kind)
        return self._chunks(kind)

    def _chunks(self, kind: Movable) -> Iterator[int]:
        name = checkpoint_name(kind)
        after = self._checkpoints.get(name)
        copy = self._copy_follows if kind is Movable.FOLLOWS else self._copy_feeds
        while True:
            copied, after = copy(after)
            if not copied or after is None:
                return
            self._checkpoints.put(name, after)
            yield copied

    def _copy_follows(self, after: Position | None) -> tuple[int, Position | None]:
        edges = self._source.follows_after(_follow_key(after), self._chunk)
        if not edges:
            return 0, after
        known = {(e.follower_id, e.followee_id): e for e in edges}
        self._mirror.sync_follows(list(known), known=known)
        return len(edges), (edges[-1].id,)

    def _copy_feeds(self, after: Position | None) -> tuple[int, Position | None]:
        items = self._source.feed_items_after(_feed_key(after), self._chunk)
        if not items:
            return 0, after
        known = {(i.reader_id, i.tweet_id): i for i in items}
        self._mirror.sync_feed_items(list(known), known=known)
        return len(items), (items[-1].reader_id, items[-1].tweet_id)

    def _require_mirroring(self, kind: Movable) -> None:
        self._second_follows() if kind is Movable.FOLLOWS else self._second_feeds()
        mirrored = (
            self._stores.mirrors_follows()
            if kind is Movable.FOLLOWS
            else self._stores.mirrors_feeds()
        )
        if not mirrored:
            gate = FOLLOWS_GATE if kind is Movable.FOLLOWS else FEEDS_GATE
            raise Conflict(
                f"{kind.value} are not mirrored yet: open the {gate} gate for someone first "
                f"(chirp gates set {gate} --percent 0 --allow <user id>), so that no write "
                "slips behind the backfill"
            )

    def verify(self, kind: Movable, *, every: int = 1) -> Iterator[UserCheck]:
        """Check every user (lists of every `every`-th one), in user id order."""
        check = self._check_follows if kind is Movable.FOLLOWS else self._check_feed
        (self._second_follows if kind is Movable.FOLLOWS else self._second_feeds)()
        after, seen = None, 0
        while users := self._source.user_ids_after(after, self._chunk):
            for user_id in users:
                found = tuple(check(user_id, sampled=seen % max(every, 1) == 0))
                yield UserCheck(user_id=user_id, mismatches=found)
                seen += 1
            after = users[-1]

    def _check_follows(self, user_id: int, *, sampled: bool) -> Iterator[Mismatch]:
        second = self._second_follows()
        with self._uow_factory() as uow:
            in_sql = uow.follows.count_followers(user_id)
        in_second = second.count_followers(user_id)
        if in_sql != in_second:
            detail = f"sql {in_sql}, second store {in_second}"
            yield Mismatch(user_id=user_id, what="followers count", detail=detail)
        if not sampled:
            return
        for what in ("followers", "followings"):
            found = self._compare_follows(user_id, what, second)
            if found is not None:
                yield found

    def _compare_follows(self, user_id: int, what: str, second: FollowStore) -> Mismatch | None:
        def read(store: FollowStore, window: Window) -> list[Follow]:
            if what == "followers":
                return store.followers(user_id, window)
            return store.followings(user_id, window)

        in_sql = self._walk(lambda w: self._in_sql(lambda uow: read(uow.follows, w)), _id)
        in_second = self._walk(lambda w: read(second, w), _id)
        return _first_difference(user_id, what, in_sql, in_second, _edge)

    def _check_feed(self, user_id: int, *, sampled: bool) -> Iterator[Mismatch]:
        if not sampled:
            return
        second = self._second_feeds()
        in_sql = self._walk(lambda w: self._in_sql(lambda u: u.feeds.tweet_ids(user_id, w)), int)
        in_second = self._walk(lambda w: second.tweet_ids(user_id, w), int)
        found = _first_difference(user_id, "feed", in_sql, in_second, lambda t: f"tweet {t}")
        if found is not None:
            yield found

    def _in_sql(self, read: Callable[[UnitOfWork], list[T]]) -> list[T]:
        with self._uow_factory() as uow:
            return read(uow)

    def _walk(self, read: Callable[[Window], list[T]], key: Callable[[T], int]) -> Iterator[T]:
        """Every item of a newest-first list, a window of `page` at a time."""
        upper: int | None = None
        while True:
            got = read(Window(limit=self._page, upper=upper))
            yield from got[: self._page]
            if len(got) <= self._page:
                return
            upper = key(got[self._page - 1])

    def _second_follows(self) -> FollowStore:
        if (store := self._stores.secondary.follows) is None:
            raise Invalid("this profile has no second follow store to migrate to")
        return store

    def _second_feeds(self) -> FeedStore:
        if (store := self._stores.secondary.feeds) is None:
            raise Invalid("this profile has no second feed store to migrate to")
        return store


def _first_difference(
    user_id: int, what: str, in_sql: Iterator[T], in_second: Iterator[T], show: Callable[[T], str]
) -> Mismatch | None:
    """The mismatch between two walks, with both counts and the first differing item."""
    counted, first = [0, 0], None
    for a, b in zip_longest(in_sql, in_second):  # items are never None: None is "ran out"
        counted[0] += a is not None
        counted[1] += b is not None
        if first is None and a != b:
            first = ["nothing" if x is None else show(x) for x in (a, b)]
    if first is None:
        return None
    detail = (
        f"sql has {counted[0]}, second store {counted[1]}; "
        f"first difference: sql {first[0]}, second store {first[1]}"
    )
    return Mismatch(user_id=user_id, what=what, detail=detail)


def _follow_key(after: Position | None) -> int | None:
    if after is None:
        return None
    if len(after) != 1:
        raise Invalid(f"the follows checkpoint {after} is not one follow id")
    return after[0]


def _feed_key(after: Position | None) -> Pair | None:
    if after is None:
        return None
    if len(after) != 2:
        raise Invalid(f"the feeds checkpoint {after} is not a (reader id, tweet id) pair")
    return after[0], after[1]


def _id(edge: Follow) -> int:
    return edge.id


def _edge(edge: Follow) -> str:
    return f"{edge.follower_id} -> {edge.followee_id} (follow {edge.id})"
