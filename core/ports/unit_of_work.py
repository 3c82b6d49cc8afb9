"""UnitOfWork port: one transaction over the relational stores, with the outbox."""

from __future__ import annotations

from abc import abstractmethod
from types import TracebackType
from typing import Protocol, Self

from core.ports.comment_repository import CommentRepository
from core.ports.feed_store import FeedStore
from core.ports.follow_store import FollowStore
from core.ports.idempotency_keys import IdempotencyKeys
from core.ports.like_repository import LikeRepository
from core.ports.notification_repository import NotificationRepository
from core.ports.outbox import Outbox
from core.ports.profile_repository import ProfileRepository
from core.ports.token_store import TokenStore
from core.ports.tweet_repository import TweetRepository
from core.ports.user_repository import UserRepository


class UnitOfWork(Protocol):
    """`with uow:` opens a transaction; `commit()` makes it durable; leaving the block
    without commit rolls back. Repositories are attributes, valid inside the block only."""

    users: UserRepository
    profiles: ProfileRepository
    tokens: TokenStore
    tweets: TweetRepository
    follows: FollowStore
    feeds: FeedStore
    comments: CommentRepository
    likes: LikeRepository
    notifications: NotificationRepository
    outbox: Outbox
    idempotency: IdempotencyKeys

    @abstractmethod
    def __enter__(self) -> Self:
        """Begin a transaction."""

    @abstractmethod
    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Roll back what was not committed and release the connection."""

    @abstractmethod
    def commit(self) -> None:
        """Make every change of the block durable at once."""
