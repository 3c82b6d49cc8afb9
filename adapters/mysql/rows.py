"""Explicit row-to-entity and entity-to-row functions: the only place columns meet the domain."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy.engine import Row

from core.domain.feed import DeadJob, FeedItem, Job, JobKind
from core.domain.social import Comment, Follow, Like, Notification, TargetType, Verb
from core.domain.tweets import Photo, Tweet
from core.domain.users import Profile, User

# A SQLAlchemy Row, or a HotSelect's named tuple of the same columns.
RowLike = Any


@overload
def utc(value: None) -> None: ...
@overload
def utc(value: datetime | str) -> datetime: ...
def utc(value: datetime | str | None) -> datetime | None:
    """A UTC time column as UtcDateTime gives it, also from a DB-API cursor (HotSelect):
    MySQL drivers give a naive datetime, or text on the read lane (engine.py's
    _TIMES_AS_TEXT), SQLite the text SQLAlchemy stored there ("2026-01-02 03:04:05.600000");
    a row read through SQLAlchemy is aware already."""
    if value is None:
        return None
    if isinstance(value, str):  # parsing the offset too is twice as fast as .replace()
        return datetime.fromisoformat(value + "+00:00")
    return value.replace(tzinfo=UTC)


def user_from(row: RowLike) -> User:
    return User(
        id=row.id,
        username=row.username,
        email=row.email,
        password_hash=row.password_hash,
        is_admin=bool(row.is_admin),
        is_active=bool(row.is_active),
        created_at=utc(row.created_at),
    )


def user_values(user: User) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "email": user.email,
        "password_hash": user.password_hash,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "created_at": user.created_at,
    }


def profile_from(row: RowLike) -> Profile:
    return Profile(
        user_id=row.user_id,
        nickname=row.nickname,
        avatar_key=row.avatar_key,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
    )


def profile_values(profile: Profile) -> dict[str, Any]:
    return {
        "user_id": profile.user_id,
        "nickname": profile.nickname,
        "avatar_key": profile.avatar_key,
        "created_at": profile.created_at,
        "updated_at": profile.updated_at,
    }


def tweet_from(row: RowLike, photos: Sequence[Photo] = ()) -> Tweet:
    return Tweet(
        id=row.id,
        user_id=row.user_id,
        content=row.content,
        created_at=utc(row.created_at),
        edited_at=utc(row.edited_at),
        photos=tuple(photos),
        likes_count=row.likes_count,
        comments_count=row.comments_count,
    )


def tweet_values(tweet: Tweet) -> dict[str, Any]:
    return {
        "id": tweet.id,
        "user_id": tweet.user_id,
        "content": tweet.content,
        "created_at": tweet.created_at,
        "edited_at": tweet.edited_at,
        "likes_count": tweet.likes_count,
        "comments_count": tweet.comments_count,
    }


def photo_from(row: Row[Any]) -> Photo:
    """A photo from a row whose photo columns are labelled photo_*."""
    return Photo(
        key=row.photo_key, content_type=row.photo_content_type, position=row.photo_position
    )


def photo_values(tweet_id: int, photo: Photo) -> dict[str, Any]:
    return {
        "tweet_id": tweet_id,
        "position": photo.position,
        "key": photo.key,
        "content_type": photo.content_type,
    }


def follow_from(row: Row[Any]) -> Follow:
    return Follow(
        id=row.id,
        follower_id=row.follower_id,
        followee_id=row.followee_id,
        created_at=row.created_at,
    )


def follow_values(follow: Follow) -> dict[str, Any]:
    return {
        "id": follow.id,
        "follower_id": follow.follower_id,
        "followee_id": follow.followee_id,
        "created_at": follow.created_at,
    }


def feed_item_from(row: Row[Any]) -> FeedItem:
    return FeedItem(
        reader_id=row.reader_id,
        tweet_id=row.tweet_id,
        author_id=row.author_id,
        created_at=row.created_at,
    )


def feed_item_values(item: FeedItem) -> dict[str, Any]:
    return {
        "reader_id": item.reader_id,
        "tweet_id": item.tweet_id,
        "author_id": item.author_id,
        "created_at": item.created_at,
    }


def comment_from(row: RowLike) -> Comment:
    return Comment(
        id=row.id,
        tweet_id=row.tweet_id,
        user_id=row.user_id,
        content=row.content,
        created_at=utc(row.created_at),
        updated_at=utc(row.updated_at),
        likes_count=row.likes_count,
    )


def comment_values(comment: Comment) -> dict[str, Any]:
    return {
        "id": comment.id,
        "tweet_id": comment.tweet_id,
        "user_id": comment.user_id,
        "content": comment.content,
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "likes_count": comment.likes_count,
    }


def like_from(row: RowLike) -> Like:
    return Like(
        id=row.id,
        user_id=row.user_id,
        target_type=TargetType(row.target_type),
        target_id=row.target_id,
        created_at=utc(row.created_at),
    )


def like_values(like: Like) -> dict[str, Any]:
    return {
        "id": like.id,
        "user_id": like.user_id,
        "target_type": like.target_type.value,
        "target_id": like.target_id,
        "created_at": like.created_at,
    }


def notification_from(row: Row[Any]) -> Notification:
    return Notification(
        id=row.id,
        recipient_id=row.recipient_id,
        actor_id=row.actor_id,
        verb=Verb(row.verb),
        target_type=TargetType(row.target_type),
        target_id=row.target_id,
        created_at=row.created_at,
        unread=bool(row.unread),
    )


def notification_values(note: Notification) -> dict[str, Any]:
    return {
        "id": note.id,
        "recipient_id": note.recipient_id,
        "actor_id": note.actor_id,
        "verb": note.verb.value,
        "target_type": note.target_type.value,
        "target_id": note.target_id,
        "created_at": note.created_at,
        "unread": note.unread,
    }


def job_from(row: Row[Any]) -> Job:
    return Job(
        id=row.job_id,
        kind=JobKind(row.kind),
        tweet_id=row.tweet_id,
        author_id=row.author_id,
        reader_ids=tuple(json.loads(row.reader_ids)),
        request_id=row.request_id,
    )


def job_values(job: Job) -> dict[str, Any]:
    return {
        "job_id": job.id,
        "kind": job.kind.value,
        "tweet_id": job.tweet_id,
        "author_id": job.author_id,
        "reader_ids": json.dumps(list(job.reader_ids)),
        "request_id": job.request_id,
    }


def queued_job_values(job: Job, available_at: datetime) -> dict[str, Any]:
    """A new row of the `jobs` table: the whole job as one JSON payload, never tried."""
    return {
        "job_id": job.id,
        "payload": json.dumps(job.to_payload()),
        "attempts": 0,
        "available_at": available_at,
        "dead": False,
    }


def queued_job_from(row: Row[Any]) -> Job:
    return Job.from_payload(json.loads(row.payload))


def dead_job_from(row: Row[Any]) -> DeadJob:
    return DeadJob(job=queued_job_from(row), error=row.error or "", attempts=row.attempts)
