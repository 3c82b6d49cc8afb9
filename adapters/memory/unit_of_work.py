"""InMemoryUnitOfWork: a transaction over the in-memory tables by lock and snapshot."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

from adapters.memory.comments import InMemoryCommentRepository
from adapters.memory.database import InMemoryDatabase
from adapters.memory.feeds import InMemoryFeedStore
from adapters.memory.follows import InMemoryFollowStore
from adapters.memory.likes import InMemoryLikeRepository
from adapters.memory.notifications import InMemoryNotificationRepository
from adapters.memory.outbox import InMemoryIdempotencyKeys, InMemoryOutbox
from adapters.memory.tokens import InMemoryTokenStore
from adapters.memory.tweets import InMemoryTweetRepository
from adapters.memory.users import InMemoryProfileRepository, InMemoryUserRepository
from core.ports.unit_of_work import UnitOfWork


class InMemoryUnitOfWork(UnitOfWork):
    """`with uow:` holds the database's re-entrant lock and a snapshot for the whole block;
    `commit()` keeps what was done so far; leaving without commit restores the snapshot.

    The lock lives on the database, so several units of work over one database (one per
    thread, like connections) serialise their transactions.
    """

    def __init__(self, db: InMemoryDatabase | None = None) -> None:
        self.db = db if db is not None else InMemoryDatabase()
        self.users = InMemoryUserRepository(self.db)
        self.profiles = InMemoryProfileRepository(self.db)
        self.tokens = InMemoryTokenStore(self.db)
        self.tweets = InMemoryTweetRepository(self.db)
        self.follows = InMemoryFollowStore(self.db)
        self.feeds = InMemoryFeedStore(self.db)
        self.comments = InMemoryCommentRepository(self.db)
        self.likes = InMemoryLikeRepository(self.db)
        self.notifications = InMemoryNotificationRepository(self.db)
        self.outbox = InMemoryOutbox(self.db)
        self.idempotency = InMemoryIdempotencyKeys(self.db)
        # One snapshot per open block, so nested blocks roll back only their own part.
        self._snapshots: list[dict[str, Any]] = []

    def __enter__(self) -> Self:
        self.db.lock.acquire()
        self._snapshots.append(self.db.snapshot())
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            self.db.restore(self._snapshots.pop())
        finally:
            self.db.lock.release()

    def commit(self) -> None:
        if not self._snapshots:
            raise RuntimeError("commit() outside a `with uow:` block")
        self._snapshots[-1] = self.db.snapshot()
