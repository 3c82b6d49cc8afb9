"""Request schemas: bodies and query strings; types here, business rules in the core."""

from __future__ import annotations

import marshmallow as ma
from marshmallow.validate import OneOf

from entrypoints.http.fields import Id, Text, Upload

F = ma.fields
USERNAME = "^[A-Za-z0-9_]{6,20}$"


def length(low: int, high: int) -> dict[str, int]:
    """Documented bounds of a text field (the core checks them, after trimming)."""
    return {"minLength": low, "maxLength": high}


class Args(ma.Schema):
    """Unknown fields are ignored (a client may send more than we read)."""

    class Meta:
        unknown = ma.EXCLUDE


class SignupArgs(Args):
    username = Text(required=True, metadata={"pattern": USERNAME, "example": "alice_01"})
    email = Text(required=True, metadata={"format": "email", "example": "alice@example.com"})
    password = Text(required=True, metadata={**length(6, 128), "example": "correct horse"})


class LoginArgs(Args):
    username = Text(required=True)
    password = Text(required=True)


class TweetListArgs(Args):
    user_id = Id(required=True)


class TweetTextArgs(Args):
    """A tweet's text alone: the JSON form of a new tweet, and an edit."""

    content = Text(
        required=True,
        metadata={"description": "6-140 characters after trimming", **length(6, 140)},
    )


class TweetCreateArgs(TweetTextArgs):
    """A new tweet: multipart with one `files` part per photo (0-9), or JSON without files."""

    files = F.List(Upload(), load_default=list, metadata={"maxItems": 9})


class IdempotencyArgs(Args):
    key = Text(
        data_key="Idempotency-Key",
        metadata={
            "description": "a retry with the same key within 1 hour returns the first tweet "
            "(409 when that tweet was deleted since)"
        },
    )


class ProfileEditArgs(Args):
    nickname = Text(allow_none=True, metadata=length(0, 200))
    avatar = Upload()


class ProfileTextArgs(Args):
    """The JSON form of a profile change (no avatar)."""

    nickname = Text(allow_none=True, metadata=length(0, 200))


class CommentListArgs(Args):
    tweet_id = Id(required=True)


class CommentCreateArgs(Args):
    tweet_id = Id(required=True)
    content = Text(required=True, metadata=length(1, 140))


class CommentEditArgs(Args):
    content = Text(required=True, metadata=length(1, 140))


class LikeArgs(Args):
    content_type = Text(required=True, validate=OneOf(["tweet", "comment"]))
    object_id = Id(required=True)


class NotificationListArgs(Args):
    unread = F.Boolean()


class NotificationEditArgs(Args):
    unread = F.Boolean(required=True)
