"""SqlUnitOfWork: one connection and one transaction shared by every SQL repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.engine import Connection, Engine

from adapters.mysql.base import DOWN_ERRORS, guarded
from adapters.mysql.comments import SqlCommentRepository
from adapters.mysql.feeds import SqlFeedStore
from adapters.mysql.follows import SqlFollowStore
from adapters.mysql.idempotency import SqlIdempotencyKeys
from adapters.mysql.likes import SqlLikeRepository
from adapters.mysql.notifications import SqlNotificationRepository
from adapters.mysql.outbox import SqlOutbox
from adapters.mysql.profiles import SqlProfileRepository
from adapters.mysql.tokens import SqlTokenStore
from adapters.mysql.tweets import SqlTweetRepository
from adapters.mysql.users import SqlUserRepository
from core.ports.unit_of_work import UnitOfWork


class SqlUnitOfWork(UnitOfWork):
    """`with uow:` checks a connection out of the engine's pool and begins a transaction;
    the repositories are rebuilt on it each time, so they never outlive the block."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None

    def __enter__(self) -> Self:
        if self._conn is not None:
            raise RuntimeError("this unit of work is already open; make one per block")
        with guarded():
            conn = self._engine.connect()
            try:
                conn.begin()
            except BaseException:
                conn.close()
                raise
        self._conn = conn
        self._bind(conn)
        return self

    def _bind(self, conn: Connection) -> None:
        self.users = SqlUserRepository(conn)
        self.profiles = SqlProfileRepository(conn)
        self.tokens = SqlTokenStore(conn)
        self.tweets = SqlTweetRepository(conn)
        self.follows = SqlFollowStore(conn)
        self.feeds = SqlFeedStore(conn)
        self.comments = SqlCommentRepository(conn)
        self.likes = SqlLikeRepository(conn)
        self.notifications = SqlNotificationRepository(conn)
        self.outbox = SqlOutbox(conn)
        self.idempotency = SqlIdempotencyKeys(conn)

    def commit(self) -> None:
        if self._conn is None:
            raise RuntimeError("commit() outside a `with` block")
        # Later statements in the same block start a new transaction on their own.
        with guarded():
            self._conn.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        conn, self._conn = self._conn, None
        if conn is None:
            return
        try:
            conn.rollback()
        except DOWN_ERRORS:
            pass  # a lost connection was rolled back by the server; nothing to undo here
        finally:
            conn.close()
