"""SqlUnitOfWork: one connection and one transaction shared by every SQL repository."""

from __future__ import annotations

from types import TracebackType
from typing import Self

from sqlalchemy.engine import Engine

from adapters.mysql.base import SqlSession
from adapters.mysql.comments import SqlCommentRepository
from adapters.mysql.engine import reader_of
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
    """`with uow:` opens a session (SqlSession): a transaction begun at the first statement
    that needs one, and hot reads before it on the engine's read lane (`reader_of`), so a
    block that only reads costs no ping and no ROLLBACK, and one that reads nothing costs
    no connection. The repositories are rebuilt on it each time, so they never outlive the
    block."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._reads = reader_of(engine)
        self._session: SqlSession | None = None

    def __enter__(self) -> Self:
        if self._session is not None:
            raise RuntimeError("this unit of work is already open; make one per block")
        self._session = SqlSession(self._engine, self._reads)
        self._bind(self._session)
        return self

    def _bind(self, session: SqlSession) -> None:
        self.users = SqlUserRepository(session)
        self.profiles = SqlProfileRepository(session)
        self.tokens = SqlTokenStore(session)
        self.tweets = SqlTweetRepository(session)
        self.follows = SqlFollowStore(session)
        self.feeds = SqlFeedStore(session)
        self.comments = SqlCommentRepository(session)
        self.likes = SqlLikeRepository(session)
        self.notifications = SqlNotificationRepository(session)
        self.outbox = SqlOutbox(session)
        self.idempotency = SqlIdempotencyKeys(session)

    def commit(self) -> None:
        if self._session is None:
            raise RuntimeError("commit() outside a `with` block")
        # Later statements in the same block start a new transaction on their own.
        self._session.commit()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session, self._session = self._session, None
        if session is not None:
            session.close()
