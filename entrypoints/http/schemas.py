"""Response schemas: the JSON shapes of API.md, dumped from views; every id through `Id`."""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from entrypoints.http.fields import Id, Time

F = ma.fields


class UserSummarySchema(ma.Schema):
    """`{id, username, nickname, avatar_url}`, embedded wherever a user appears."""

    id = Id(required=True)
    username = F.String(required=True)
    nickname = F.String(required=True, allow_none=True)
    avatar_url = F.String(required=True, allow_none=True)


class AccountUserSchema(ma.Schema):
    """The `{id, username}` of the accounts endpoints."""

    id = Id(required=True)
    username = F.String(required=True)


class SessionSchema(ma.Schema):
    """Signup and login: the user and the bearer token."""

    success = F.Constant(True, required=True)
    user = F.Nested(AccountUserSchema, required=True)
    token = F.String(required=True)


class LoginStatusSchema(ma.Schema):
    has_logged_in = F.Boolean(required=True)
    user = F.Nested(AccountUserSchema)


class SuccessSchema(ma.Schema):
    success = F.Constant(True, required=True)


class DeletedSchema(ma.Schema):
    """Unfollow and like cancel: how many edges went (1 or 0)."""

    success = F.Constant(True, required=True)
    deleted = F.Integer(required=True)


class AdminUserSchema(ma.Schema):
    """A user as an admin lists them: the summary plus the account (from an AccountView)."""

    id = Id(required=True, attribute="user.id")
    username = F.String(required=True, attribute="user.username")
    nickname = F.String(required=True, allow_none=True, attribute="summary.nickname")
    avatar_url = F.String(required=True, allow_none=True, attribute="summary.avatar_url")
    email = F.String(required=True, attribute="user.email")
    is_admin = F.Boolean(required=True, attribute="user.is_admin")
    is_active = F.Boolean(required=True, attribute="user.is_active")
    created_at = Time(required=True, attribute="user.created_at")


class ProfileSchema(ma.Schema):
    id = Id(required=True, attribute="profile.user_id")
    user = F.Nested(UserSummarySchema, required=True)
    nickname = F.String(required=True, allow_none=True, attribute="profile.nickname")
    avatar_url = F.String(required=True, allow_none=True)
    created_at = Time(required=True, attribute="profile.created_at")
    updated_at = Time(required=True, attribute="profile.updated_at")


class TweetSchema(ma.Schema):
    """A tweet as a reader sees it (dumped from a TweetView)."""

    id = Id(required=True, attribute="tweet.id")
    user = F.Nested(UserSummarySchema, required=True)
    created_at = Time(required=True, attribute="tweet.created_at")
    edited_at = Time(required=True, allow_none=True, attribute="tweet.edited_at")
    content = F.String(required=True, attribute="tweet.content")
    comments_count = F.Integer(required=True, attribute="tweet.comments_count")
    likes_count = F.Integer(required=True, attribute="tweet.likes_count")
    has_liked = F.Boolean(required=True)
    photo_urls = F.List(F.String(), required=True)


class CommentSchema(ma.Schema):
    """A comment (dumped from a CommentView)."""

    id = Id(required=True, attribute="comment.id")
    tweet_id = Id(required=True, attribute="comment.tweet_id")
    user = F.Nested(UserSummarySchema, required=True)
    content = F.String(required=True, attribute="comment.content")
    created_at = Time(required=True, attribute="comment.created_at")
    updated_at = Time(required=True, attribute="comment.updated_at")
    likes_count = F.Integer(required=True, attribute="comment.likes_count")
    has_liked = F.Boolean(required=True)


class LikeSchema(ma.Schema):
    user = F.Nested(UserSummarySchema, required=True)
    created_at = Time(required=True)


class LikeResultSchema(LikeSchema):
    """A like as created (201, `created: true`) or found again (200, `created: false`)."""

    created = F.Boolean(required=True)


class TweetDetailSchema(TweetSchema):
    """One tweet with its first 100 comments (oldest first) and likes (newest first)."""

    comments = F.List(F.Nested(CommentSchema), required=True)
    likes = F.List(F.Nested(LikeSchema), required=True)

    def get_attribute(self, obj: Any, attr: str, default: Any) -> Any:
        source = obj if attr in ("comments", "likes") else obj.view
        return super().get_attribute(source, attr, default)


class FollowSchema(ma.Schema):
    """The other side of a follow edge, and whether the caller follows them."""

    user = F.Nested(UserSummarySchema, required=True)
    created_at = Time(required=True)
    has_followed = F.Boolean(required=True)


class FollowResultSchema(FollowSchema):
    duplicate = F.Boolean(required=True)


class FeedItemSchema(ma.Schema):
    id = Id(required=True)
    created_at = Time(required=True)
    tweet = F.Nested(TweetSchema, required=True)


class TargetSchema(ma.Schema):
    type = F.String(required=True, attribute="target_type")
    id = Id(required=True, attribute="target_id")


class NotificationSchema(ma.Schema):
    id = Id(required=True, attribute="notification.id")
    verb = F.String(required=True, attribute="notification.verb")
    actor = F.Nested(UserSummarySchema, required=True)
    target = F.Nested(TargetSchema, required=True, attribute="notification")
    unread = F.Boolean(required=True, attribute="notification.unread")
    timestamp = Time(required=True, attribute="notification.created_at")


class UnreadCountSchema(ma.Schema):
    unread_count = F.Integer(required=True)


class MarkedCountSchema(ma.Schema):
    marked_count = F.Integer(required=True)


class HealthSchema(ma.Schema):
    status = F.String(required=True)


class ReadinessSchema(HealthSchema):
    # Only in an admin's report.
    backends = F.Dict(keys=F.String(), values=F.String())
