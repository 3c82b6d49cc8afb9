"""Follows, comments, likes and notifications: what people do to each other's posts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from core.domain.tweets import trimmed_text

COMMENT_MIN, COMMENT_MAX = 1, 140


def clean_comment(raw: str) -> str:
    """Comment text as stored: trimmed, 1-140 characters."""
    return trimmed_text(raw, COMMENT_MIN, COMMENT_MAX)


@dataclass(frozen=True, slots=True, kw_only=True)
class Follow:
    """`follower_id` follows `followee_id` since `created_at`; `id` orders follow lists."""

    id: int
    follower_id: int
    followee_id: int
    created_at: datetime


@dataclass(slots=True, kw_only=True)
class Comment:
    """A reply under a tweet."""

    id: int
    tweet_id: int
    user_id: int
    content: str
    created_at: datetime
    updated_at: datetime
    likes_count: int = 0

    def __post_init__(self) -> None:
        self.content = clean_comment(self.content)

    def edit(self, content: str, now: datetime) -> None:
        self.content = clean_comment(content)
        self.updated_at = now


class TargetType(StrEnum):
    """What a like or a notification points at."""

    TWEET = "tweet"
    COMMENT = "comment"
    USER = "user"


@dataclass(frozen=True, slots=True, kw_only=True)
class Like:
    """One user's like of one tweet or comment."""

    id: int
    user_id: int
    target_type: TargetType
    target_id: int
    created_at: datetime


class Verb(StrEnum):
    """What a notification says happened."""

    COMMENTED = "commented on your tweet"
    LIKED_TWEET = "liked your tweet"
    LIKED_COMMENT = "liked your comment"
    FOLLOWED = "followed you"


@dataclass(slots=True, kw_only=True)
class Notification:
    """Tells `recipient_id` that `actor_id` did `verb` to a target."""

    id: int
    recipient_id: int
    actor_id: int
    verb: Verb
    target_type: TargetType
    target_id: int
    created_at: datetime
    unread: bool = True

    def mark_read(self) -> None:
        self.unread = False

    def mark_unread(self) -> None:
        self.unread = True
