"""Response schemas: the JSON shapes of API.md, dumped from views; every id through `Id`.

Also the OpenAPI links between responses: how an id one response carries feeds the next call.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from apispec import BasePlugin

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


TWEET = "/api/tweets/{tweet_id}/"
COMMENT = "/api/comments/{comment_id}/"
PROFILE = "/api/profiles/{user_id}/"
NOTIFICATION = "/api/notifications/{notification_id}/"
FOLLOW = "/api/friendships/{user_id}/follow/"
UNFOLLOW = "/api/friendships/{user_id}/unfollow/"
# A link is (name, method, path of its target, what fills the target's parameters); a
# `body` key is the target's request body (Schemathesis merges it into what it makes).
Link = tuple[str, str, str, dict[str, Any]]


def _about_tweet(id_at: str) -> list[Link]:
    tweet = {"tweet_id": id_at}
    return [
        ("GetTweet", "get", TWEET, tweet),
        ("EditTweet", "patch", TWEET, tweet),
        ("DeleteTweet", "delete", TWEET, tweet),
        ("ListComments", "get", "/api/comments/", {"query.tweet_id": id_at}),
        ("Comment", "post", "/api/comments/", {"body": {"tweet_id": id_at}}),
        ("LikeTweet", "post", "/api/likes/", {"body": _liked("tweet", id_at)}),
    ]


def _liked(kind: str, id_at: str) -> dict[str, str]:
    return {"content_type": kind, "object_id": id_at}


def _about_user(id_at: str) -> list[Link]:
    user = {"user_id": id_at}
    return [
        ("GetProfile", "get", PROFILE, user),
        ("EditProfile", "patch", PROFILE, user),
        ("UserTweets", "get", "/api/tweets/", {"query.user_id": id_at}),
        ("Follow", "post", FOLLOW, user),
        ("Unfollow", "post", UNFOLLOW, user),
        ("Followers", "get", "/api/friendships/{user_id}/followers/", user),
        ("Followings", "get", "/api/friendships/{user_id}/followings/", user),
    ]


def _about_comment(at: str) -> list[Link]:
    comment = {"comment_id": f"{at}/id"}
    return [
        ("GetComment", "get", COMMENT, comment),
        ("EditComment", "put", COMMENT, comment),
        ("DeleteComment", "delete", COMMENT, comment),
        ("LikeComment", "post", "/api/likes/", {"body": _liked("comment", f"{at}/id")}),
        ("CommentedTweet", "get", TWEET, {"tweet_id": f"{at}/tweet_id"}),
    ]


def _next_page(*kept: str) -> list[Link]:
    query = {f"query.{name}": f"$request.query.{name}" for name in kept}
    return [("NextPage", "", "", {**query, "query.cursor": "$response.body#/next_cursor"})]


BODY = "$response.body#"
FIRST = f"{BODY}/results/0"
LIKED = {"content_type": "$request.body#/content_type", "object_id": "$request.body#/object_id"}
LINKS: dict[tuple[str, str], dict[int, list[Link]]] = {
    ("post", "/api/accounts/signup/"): {201: _about_user(f"{BODY}/user/id")},
    ("post", "/api/accounts/login/"): {200: _about_user(f"{BODY}/user/id")},
    ("post", "/api/tweets/"): {code: _about_tweet(f"{BODY}/id") for code in (200, 201)},
    ("get", TWEET): {200: _about_tweet(f"{BODY}/id") + _about_user(f"{BODY}/user/id")},
    ("patch", TWEET): {200: _about_tweet(f"{BODY}/id")},
    ("get", "/api/tweets/"): {200: _about_tweet(f"{FIRST}/id") + _next_page("user_id")},
    ("get", "/api/newsfeeds/"): {200: _about_tweet(f"{FIRST}/tweet/id") + _next_page()},
    ("post", "/api/comments/"): {201: _about_comment(BODY)},
    ("get", COMMENT): {200: _about_comment(BODY)},
    ("get", "/api/comments/"): {200: _about_comment(FIRST) + _next_page("tweet_id")},
    ("post", "/api/likes/"): {
        code: [("CancelLike", "post", "/api/likes/cancel/", {"body": LIKED})] for code in (200, 201)
    },
    ("get", PROFILE): {200: _about_user(f"{BODY}/id")},
    ("post", FOLLOW): {201: _about_user("$request.path.user_id")},
    ("get", "/api/friendships/{user_id}/followers/"): {
        200: _about_user(f"{FIRST}/user/id") + _next_page()
    },
    ("get", "/api/friendships/{user_id}/followings/"): {
        200: _about_user(f"{FIRST}/user/id") + _next_page()
    },
    ("get", "/api/notifications/"): {
        200: [
            ("MarkNotification", "patch", NOTIFICATION, {"notification_id": f"{FIRST}/id"}),
            *_next_page(),
        ]
    },
}


def operation_ref(method: str, path: str) -> str:
    """An operation's `operationRef` (the document's operations have no operationId)."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


class ResponseLinks(BasePlugin):
    """apispec plugin adding LINKS to the success responses of the document, so a stateful
    client (Schemathesis' state machine) can chain a created tweet into reading, editing,
    commenting, liking and deleting it. A `NextPage` link targets its own operation."""

    def operation_helper(
        self, path: str | None = None, operations: dict[str, Any] | None = None, **kwargs: Any
    ) -> None:
        for method, operation in (operations or {}).items():
            for code, links in LINKS.get((method, path or ""), {}).items():
                response = operation.get("responses", {}).get(code)
                if isinstance(response, dict):
                    response["links"] = {
                        name: _link(target_method or method, target_path or path or "", values)
                        for name, target_method, target_path, values in links
                    }


def _link(method: str, path: str, values: dict[str, Any]) -> dict[str, Any]:
    link: dict[str, Any] = {"operationRef": operation_ref(method, path)}
    parameters = {name: value for name, value in values.items() if name != "body"}
    if parameters:
        link["parameters"] = parameters
    if "body" in values:
        link["requestBody"] = values["body"]
    return link
