"""Hot responses without marshmallow: plain functions giving what the schemas dump, and orjson.

The schemas in schemas.py stay the contract (the OpenAPI document is made from them, and
every other response is dumped by them). A hot view (feed page, tweet, tweet detail,
profile) builds its body here instead, as the profile showed the generic dump taking a third
of a feed page. Rule: each function here gives exactly what its schema dumps, key for key;
tests/http/test_bodies.py compares both on representative objects, so they cannot drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from flask import Response

from core.domain.paging import Page
from core.domain.users import UserSummary
from core.services.views import (
    CommentView,
    FeedEntry,
    LikeView,
    ProfileView,
    TweetDetail,
    TweetView,
)

T = TypeVar("T")
Body = dict[str, Any]
TIMES_KEPT = 20_000  # formatted moments remembered per process (about 4 MB)
_times: dict[datetime, str] = {}


def time(moment: datetime | None) -> str | None:
    """As `fields.Time` writes it: UTC (a naive time taken as UTC), microseconds, `Z`.

    Remembered per process (up to TIMES_KEPT moments, then forgotten all at once): a page
    writes the same few hundred moments again and again (a tweet's 100 comments, twice
    each), and a dict lookup is several times cheaper than formatting. Equal datetimes
    are the same instant (or the same naive time), so they have the same text."""
    if moment is None:
        return None
    known = _times.get(moment)
    if known is not None:
        return known
    text = _formatted(moment)
    if len(_times) >= TIMES_KEPT:
        _times.clear()
    _times[moment] = text
    return text


def _formatted(moment: datetime) -> str:
    if moment.tzinfo is not UTC:  # the stores give UTC itself: skip the checks (hot path)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        elif moment.utcoffset():
            moment = moment.astimezone(UTC)
    # isoformat is C and several times faster than strftime; its first 26 characters are
    # the same digits (microseconds always, by timespec), before the "+00:00" we drop.
    return moment.isoformat(timespec="microseconds")[:26] + "Z"


def user_summary(user: UserSummary) -> Body:
    return {
        "id": str(user.id),
        "username": user.username,
        "nickname": user.nickname,
        "avatar_url": user.avatar_url,
    }


def tweet(view: TweetView) -> Body:
    t = view.tweet
    return {
        "id": str(t.id),
        "user": user_summary(view.user),
        "created_at": time(t.created_at),
        "edited_at": time(t.edited_at),
        "content": t.content,
        "comments_count": t.comments_count,
        "likes_count": t.likes_count,
        "has_liked": view.has_liked,
        "photo_urls": list(view.photo_urls),
    }


def feed_item(entry: FeedEntry) -> Body:
    return {"id": str(entry.id), "created_at": time(entry.created_at), "tweet": tweet(entry.tweet)}


def comment(view: CommentView) -> Body:
    c = view.comment
    return {
        "id": str(c.id),
        "tweet_id": str(c.tweet_id),
        "user": user_summary(view.user),
        "content": c.content,
        "created_at": time(c.created_at),
        "updated_at": time(c.updated_at),
        "likes_count": c.likes_count,
        "has_liked": view.has_liked,
    }


def like(view: LikeView) -> Body:
    return {"user": user_summary(view.user), "created_at": time(view.created_at)}


def tweet_detail(detail: TweetDetail) -> Body:
    return {
        **tweet(detail.view),
        "comments": [comment(c) for c in detail.comments],
        "likes": [like(k) for k in detail.likes],
    }


def profile(view: ProfileView) -> Body:
    p = view.profile
    return {
        "id": str(p.user_id),
        "user": user_summary(view.user),
        "nickname": p.nickname,
        "avatar_url": view.avatar_url,
        "created_at": time(p.created_at),
        "updated_at": time(p.updated_at),
    }


def page(items: Page[T], item: Callable[[T], Body]) -> Body:
    """A paged body, as `paging.page_schema` dumps it."""
    return {
        "results": [item(i) for i in items.results],
        "has_next_page": items.has_next_page,
        "next_cursor": items.next_cursor,
        "prev_cursor": items.prev_cursor,
    }


def encode(body: Any) -> bytes:
    """`body` as JSON bytes (orjson; the standard library for what orjson refuses, such as
    a lone surrogate in old stored text), ending in a newline as Flask's jsonify does."""
    try:
        return orjson.dumps(body) + b"\n"
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(body).encode() + b"\n"


def respond(body: Any, status: int = 200) -> Response:
    """A JSON response; flask-smorest passes a Response through its `response` decorator
    untouched (the decorator still documents the schema)."""
    return Response(encode(body), status=status, mimetype="application/json")
