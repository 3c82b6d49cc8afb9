"""StoreRouter: which follow and feed store serves a call while they move from SQL."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from core.domain.errors import Unavailable
from core.ports.feed_store import FeedStore
from core.ports.follow_store import FollowStore
from core.ports.unit_of_work import UnitOfWork
from core.services.gatekeeper import GateKeeper

log = logging.getLogger("chirp.stores")

FOLLOWS_GATE = "hbase_follows"
FEEDS_GATE = "hbase_feeds"


@dataclass(frozen=True, slots=True, kw_only=True)
class SecondaryStores:
    """The second follow and feed stores (HBase on `full`), None on profiles without one.
    Unlike SQL's they are not part of the unit of work: they write at once."""

    follows: FollowStore | None = None
    feeds: FeedStore | None = None


class StoreRouter:
    """Decides, per call, which store reads and whether writes are mirrored.

    - SQL is always written, inside the unit of work, so it always holds everything.
      Lowering a gate to 0% sends its users' reads back to SQL at once, and nothing they
      wrote while they read the second store is missing there.
    - While a gate (`hbase_follows`, `hbase_feeds`) is open for anyone (a percent above 0
      or someone on its allow list), every write of its kind is mirrored to the second
      store (StoreMirror). Roll-back keeps the allow list, so a gate at 0% with a staff
      account allowed keeps mirroring while everyone else reads SQL.
    - A user inside the gate reads the second store, everyone else SQL. The gate asked is
      the data owner's: the user whose list or feed is read (the followee for followers,
      the follower for followings and followed_among, the reader for the timeline, the
      author for fan-out batching), so one list comes from one store whoever looks.
    - A down second store is not hidden: a gated read raises its Unavailable (503).
    - A down gate store is logged and read as "reads from SQL, writes mirrored": SQL is
      always complete, and a mirror job more is harmless.
    - Without a second store (memory, embedded) everything is SQL and no gate is read.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        secondary: SecondaryStores | None = None,
        gates: GateKeeper | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self.secondary = secondary if secondary is not None else SecondaryStores()
        has_second = self.secondary.follows is not None or self.secondary.feeds is not None
        if has_second and gates is None:
            raise ValueError("a second store needs the gatekeeper that opens it")
        self._gates = gates

    def follows_in(self, uow: UnitOfWork, user_id: int) -> FollowStore:
        """The follow store that serves `user_id`'s reads, inside an open unit of work."""
        second = self.secondary.follows
        return second if second is not None and self._inside(FOLLOWS_GATE, user_id) else uow.follows

    def feeds_in(self, uow: UnitOfWork, reader_id: int) -> FeedStore:
        """The feed store that serves `reader_id`'s reads, inside an open unit of work."""
        second = self.secondary.feeds
        return second if second is not None and self._inside(FEEDS_GATE, reader_id) else uow.feeds

    @contextmanager
    def follows_for(self, user_id: int) -> Iterator[FollowStore]:
        """The follow store serving `user_id`; a SQL transaction is opened only for SQL."""
        second = self.secondary.follows
        if second is not None and self._inside(FOLLOWS_GATE, user_id):
            yield second
            return
        with self._uow_factory() as uow:
            yield uow.follows

    @contextmanager
    def feeds_for(self, reader_id: int) -> Iterator[FeedStore]:
        """The feed store serving `reader_id`; a SQL transaction is opened only for SQL."""
        second = self.secondary.feeds
        if second is not None and self._inside(FEEDS_GATE, reader_id):
            yield second
            return
        with self._uow_factory() as uow:
            yield uow.feeds

    def mirrors_follows(self) -> bool:
        """Whether follow writes go to the second store too."""
        return self.secondary.follows is not None and self._open_for_anyone(FOLLOWS_GATE)

    def mirrors_feeds(self) -> bool:
        """Whether feed writes go to the second store too."""
        return self.secondary.feeds is not None and self._open_for_anyone(FEEDS_GATE)

    def _inside(self, gate: str, user_id: int) -> bool:
        assert self._gates is not None  # checked in __init__ whenever a second store exists
        try:
            return self._gates.is_open(gate, user_id)
        except Unavailable as exc:
            log.warning("gate %s unreadable (%s); reading SQL", gate, exc.message)
            return False

    def _open_for_anyone(self, gate: str) -> bool:
        assert self._gates is not None
        try:
            return self._gates.is_open_for_anyone(gate)
        except Unavailable as exc:
            log.warning("gate %s unreadable (%s); mirroring anyway", gate, exc.message)
            return True
