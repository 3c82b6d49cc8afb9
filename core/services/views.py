"""What the use cases hand back: domain objects joined with the users they mention."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.domain.social import Comment, Notification
from core.domain.tweets import Tweet
from core.domain.users import Profile, User, UserSummary


@dataclass(frozen=True, slots=True, kw_only=True)
class TweetView:
    """A tweet as a reader sees it."""

    tweet: Tweet
    user: UserSummary
    photo_urls: list[str]
    has_liked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class LikeView:
    """Who liked, and when."""

    user: UserSummary
    created_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class CommentView:
    """A comment as a reader sees it."""

    comment: Comment
    user: UserSummary
    has_liked: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class TweetDetail:
    """One tweet with its first comments (oldest first) and likes (newest first)."""

    view: TweetView
    comments: list[CommentView] = field(default_factory=list)
    likes: list[LikeView] = field(default_factory=list)


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    """One newsfeed item: the tweet id doubles as the entry id."""

    id: int
    created_at: datetime
    tweet: TweetView


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowView:
    """The other side of a follow edge, and whether the viewer follows them."""

    user: UserSummary
    created_at: datetime
    has_followed: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ProfileView:
    """A profile with its user's summary."""

    profile: Profile
    user: UserSummary
    avatar_url: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class NotificationView:
    """A notification with its actor's summary."""

    notification: Notification
    actor: UserSummary


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountView:
    """A user as an admin lists them: the account, and the summary its profile gives."""

    user: User
    summary: UserSummary


@dataclass(frozen=True, slots=True, kw_only=True)
class Session:
    """A logged-in user and the raw token the client keeps (we store only its hash)."""

    user: User
    token: str
