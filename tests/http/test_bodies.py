"""The hot responses built without marshmallow equal what the schemas of the contract dump."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import marshmallow as ma
import pytest

from core.domain.paging import Page
from core.domain.social import Comment
from core.domain.tweets import Photo, Tweet
from core.domain.users import Profile, UserSummary
from core.services.views import (
    CommentView,
    FeedEntry,
    LikeView,
    ProfileView,
    TweetDetail,
    TweetView,
)
from entrypoints.http import bodies
from entrypoints.http.paging import page_schema
from entrypoints.http.schemas import (
    CommentSchema,
    FeedItemSchema,
    ProfileSchema,
    TweetDetailSchema,
    TweetSchema,
    UserSummarySchema,
)

BIG_ID = 2**63 - 1  # far above 2**53: a float would round it
WHEN = datetime(2026, 11, 21, 4, 41, 38, 923886, tzinfo=UTC)
ON_THE_SECOND = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)  # microseconds 0 still written
ELSEWHERE = datetime(2026, 1, 2, 8, 4, 5, 1, tzinfo=timezone(timedelta(hours=5)))
NAIVE = datetime(2026, 1, 2, 3, 4, 5, 7)  # taken as UTC

PLAIN = UserSummary(id=7, username="alice_01", nickname=None, avatar_url=None)
DRESSED = UserSummary(
    id=BIG_ID, username="bob_0001", nickname='Bób \u2603 "q"', avatar_url="/media/a/b.png"
)


def tweet_view(*, edited: datetime | None, liked: bool, author: UserSummary) -> TweetView:
    tweet = Tweet(
        id=BIG_ID - 1,
        user_id=author.id,
        content="h\u00e9llo <b>\u4e16\u754c</b> \U0001f600 \\ end",
        created_at=WHEN,
        edited_at=edited,
        photos=(Photo(key="p/1.png", content_type="image/png", position=0),),
        likes_count=3,
        comments_count=0,
    )
    return TweetView(tweet=tweet, user=author, photo_urls=["/media/p/1.png"], has_liked=liked)


TWEETS = [
    tweet_view(edited=None, liked=False, author=PLAIN),
    tweet_view(edited=ON_THE_SECOND, liked=True, author=DRESSED),
    tweet_view(edited=ELSEWHERE, liked=False, author=DRESSED),
    tweet_view(edited=NAIVE, liked=True, author=PLAIN),
]
COMMENTS = [
    CommentView(
        comment=Comment(
            id=12345678901234567,
            tweet_id=BIG_ID - 1,
            user_id=who.id,
            content="a comment \u2014 with a dash",
            created_at=WHEN,
            updated_at=moment,
            likes_count=n,
        ),
        user=who,
        has_liked=bool(n % 2),
    )
    for n, (who, moment) in enumerate([(PLAIN, WHEN), (DRESSED, ELSEWHERE), (PLAIN, NAIVE)])
]
LIKES = [LikeView(user=PLAIN, created_at=ON_THE_SECOND), LikeView(user=DRESSED, created_at=WHEN)]
PROFILES = [
    ProfileView(
        profile=Profile(user_id=who.id, nickname=who.nickname, created_at=WHEN, updated_at=up),
        user=who,
        avatar_url=who.avatar_url,
    )
    for who, up in [(PLAIN, WHEN), (DRESSED, NAIVE)]
]


def same(schema: type[ma.Schema], build: Callable[[Any], Any], obj: Any) -> None:
    """Field by field, so a drift names the field; then the whole, keys in order."""
    dumped = schema().dump(obj)
    built = build(obj)
    for key in dumped.keys() | built.keys():
        assert built.get(key, "<missing>") == dumped.get(key, "<missing>"), key
    assert list(built) == list(dumped)
    assert bodies.encode(built) == bodies.encode(dumped)


@pytest.mark.parametrize("user", [PLAIN, DRESSED])
def test_a_user_summary_is_written_as_its_schema_writes_it(user: UserSummary) -> None:
    same(UserSummarySchema, bodies.user_summary, user)


@pytest.mark.parametrize("view", TWEETS)
def test_a_tweet_is_written_as_its_schema_writes_it(view: TweetView) -> None:
    same(TweetSchema, bodies.tweet, view)


@pytest.mark.parametrize("view", COMMENTS)
def test_a_comment_is_written_as_its_schema_writes_it(view: CommentView) -> None:
    same(CommentSchema, bodies.comment, view)


@pytest.mark.parametrize("view", PROFILES)
def test_a_profile_is_written_as_its_schema_writes_it(view: ProfileView) -> None:
    same(ProfileSchema, bodies.profile, view)


@pytest.mark.parametrize("comments,likes", [([], []), (COMMENTS, LIKES)])
def test_a_tweet_detail_is_written_as_its_schema_writes_it(
    comments: list[CommentView], likes: list[LikeView]
) -> None:
    for view in TWEETS:
        same(
            TweetDetailSchema,
            bodies.tweet_detail,
            TweetDetail(view=view, comments=comments, likes=likes),
        )


@pytest.mark.parametrize("cursors", [(False, None, None), (True, "bmV4dA", "cHJldg")])
def test_a_feed_page_is_written_as_its_schema_writes_it(cursors: tuple[bool, Any, Any]) -> None:
    entries = [FeedEntry(id=v.tweet.id, created_at=v.tweet.created_at, tweet=v) for v in TWEETS]
    for results in ([], entries):
        page = Page(
            results=results,
            has_next_page=cursors[0],
            next_cursor=cursors[1],
            prev_cursor=cursors[2],
        )
        same(page_schema(FeedItemSchema), lambda p: bodies.page(p, bodies.feed_item), page)
        tweets = Page(
            results=[e.tweet for e in results],
            has_next_page=cursors[0],
            next_cursor=cursors[1],
            prev_cursor=cursors[2],
        )
        same(page_schema(TweetSchema), lambda p: bodies.page(p, bodies.tweet), tweets)


def test_ids_are_decimal_strings_and_times_end_in_z() -> None:
    body = bodies.tweet(TWEETS[2])
    assert body["id"] == str(BIG_ID - 1) and body["user"]["id"] == str(BIG_ID)
    assert body["edited_at"] == "2026-01-02T03:04:05.000001Z"
    assert bodies.tweet(TWEETS[1])["edited_at"] == "2026-01-02T03:04:05.000000Z"


def test_a_moment_is_written_alike_whether_remembered_or_not(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bodies, "TIMES_KEPT", 2)
    monkeypatch.setattr(bodies, "_times", {})
    utc = datetime(2026, 1, 1, 10, 0, 0, 5, tzinfo=UTC)
    paris = utc.astimezone(timezone(timedelta(hours=1)))
    naive = datetime(2026, 1, 1, 10, 0, 0, 5)
    later = datetime(2026, 1, 2, tzinfo=UTC)
    for moment in [utc, paris, naive, later, utc, naive, paris]:  # the memo fills, empties
        assert bodies.time(moment) == ("2026-01-02T00:00:00.000000Z" if moment is later
                                       else "2026-01-01T10:00:00.000005Z")  # fmt: skip
    assert len(bodies._times) <= 2
