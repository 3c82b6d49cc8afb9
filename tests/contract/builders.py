"""Builders of valid domain objects with fresh time-ordered ids, for the contract suites."""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from adapters.memory import FakeClock, SequentialIdGenerator
from core.domain.feed import FeedItem, Job, JobKind
from core.domain.ids import time_of
from core.domain.social import Comment, Follow, Like, Notification, TargetType, Verb
from core.domain.tweets import Photo, Tweet
from core.domain.users import Profile, User
from core.ports.unit_of_work import UnitOfWork

# The region-boundary cases use these ids, and the HBase test tables are split inside their
# pages: before the entries (or follows) BOUNDARY_IDS[k] and fans BOUNDARY_FAN_IDS[k], k in
# BOUNDARY_SPLITS (tests/contract/hbase_backends.py). Far from the ids `Maker` makes.
BOUNDARY_USER_ID = 5_000_000_000_000_000_017
BOUNDARY_AUTHOR_ID = 5_000_000_000_000_000_029
BOUNDARY_IDS = [6_000_000_000_000_000_000 + k * 1_000_003 for k in range(9)]
BOUNDARY_FAN_IDS = [7_000_000_000_000_000_000 + k * 999_983 for k in range(9)]
BOUNDARY_SPLITS = (2, 5)

# Each new id moves the clock by a millisecond and a microsecond, so stored times that
# lose their microseconds (or their time zone) show up as unequal entities.
TICK_SECONDS = 0.001001


class Maker:
    """Makes entities whose `created_at` is the time encoded in their id."""

    def __init__(self, clock: FakeClock, ids: SequentialIdGenerator) -> None:
        self.clock = clock
        self.ids = ids
        self._numbers = itertools.count(1)

    def new_id(self) -> int:
        self.clock.advance(seconds=TICK_SECONDS)
        return self.ids.next_id()

    def user(self, username: str | None = None, email: str | None = None) -> User:
        user_id, n = self.new_id(), next(self._numbers)
        return User(
            id=user_id,
            username=username or f"user_{n:06d}",
            email=email or f"user_{n:06d}@example.com",
            password_hash="sha256$salt$digest",
            created_at=time_of(user_id),
        )

    def profile(self, user: User, nickname: str | None = None) -> Profile:
        return Profile(
            user_id=user.id,
            nickname=nickname,
            created_at=user.created_at,
            updated_at=user.created_at,
        )

    def tweet(self, user_id: int, content: str | None = None, photos: int = 0) -> Tweet:
        tweet_id = self.new_id()
        pictures = tuple(
            Photo(key=f"tweets/{tweet_id}/{i}.jpg", content_type="image/jpeg", position=i)
            for i in range(photos)
        )
        return Tweet(
            id=tweet_id,
            user_id=user_id,
            created_at=time_of(tweet_id),
            content=content or f"tweet number {next(self._numbers)}",
            photos=pictures,
        )

    def follow(self, follower_id: int, followee_id: int) -> Follow:
        follow_id = self.new_id()
        return Follow(
            id=follow_id,
            follower_id=follower_id,
            followee_id=followee_id,
            created_at=time_of(follow_id),
        )

    def feed_item(self, reader_id: int, tweet: Tweet) -> FeedItem:
        return FeedItem(
            reader_id=reader_id,
            tweet_id=tweet.id,
            author_id=tweet.user_id,
            created_at=tweet.created_at,
        )

    def comment(self, tweet_id: int, user_id: int, content: str | None = None) -> Comment:
        comment_id = self.new_id()
        at = time_of(comment_id)
        return Comment(
            id=comment_id,
            tweet_id=tweet_id,
            user_id=user_id,
            created_at=at,
            updated_at=at,
            content=content or f"comment {next(self._numbers)}",
        )

    def like(
        self, user_id: int, target_id: int, target_type: TargetType = TargetType.TWEET
    ) -> Like:
        like_id = self.new_id()
        return Like(
            id=like_id,
            user_id=user_id,
            target_type=target_type,
            target_id=target_id,
            created_at=time_of(like_id),
        )

    def notification(
        self,
        recipient_id: int,
        actor_id: int,
        target_id: int,
        *,
        verb: Verb = Verb.LIKED_TWEET,
        target_type: TargetType = TargetType.TWEET,
        unread: bool = True,
    ) -> Notification:
        notification_id = self.new_id()
        return Notification(
            id=notification_id,
            recipient_id=recipient_id,
            actor_id=actor_id,
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            created_at=time_of(notification_id),
            unread=unread,
        )

    def job(
        self,
        tweet_id: int,
        author_id: int,
        kind: JobKind = JobKind.FANOUT,
        reader_ids: Sequence[int] = (),
    ) -> Job:
        return Job(
            id=self.new_id(),
            kind=kind,
            tweet_id=tweet_id,
            author_id=author_id,
            reader_ids=tuple(reader_ids),
        )


def add_users(uow: UnitOfWork, make: Maker, count: int) -> list[User]:
    """`count` new users stored through `uow` (inside an open block), oldest first."""
    users = [make.user() for _ in range(count)]
    for user in users:
        uow.users.add(user)
    return users


def add_tweets(uow: UnitOfWork, make: Maker, user_id: int, count: int) -> list[Tweet]:
    """`count` new tweets by one user stored through `uow`, oldest first."""
    tweets = [make.tweet(user_id) for _ in range(count)]
    for tweet in tweets:
        uow.tweets.add(tweet)
    return tweets


def entry(reader_id: int, tweet_id: int, author_id: int) -> FeedItem:
    """A feed entry for a tweet given only by its id (stores need no tweet row)."""
    return FeedItem(
        reader_id=reader_id, tweet_id=tweet_id, author_id=author_id, created_at=time_of(tweet_id)
    )


def edge(follow_id: int, follower_id: int, followee_id: int) -> Follow:
    """A follow edge with a chosen id (stores need no user rows)."""
    return Follow(
        id=follow_id,
        follower_id=follower_id,
        followee_id=followee_id,
        created_at=time_of(follow_id),
    )
