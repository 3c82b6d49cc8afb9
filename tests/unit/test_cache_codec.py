"""The cache codec: every cached type reads back equal, and anything else is unreadable."""

from __future__ import annotations

import json
import pickle
from dataclasses import fields
from datetime import UTC, datetime

import pytest

from core.domain.codec import UnreadableValue, decode, encode
from core.domain.tweets import Photo, Tweet
from core.domain.users import User, UserSummary

AT = datetime(2024, 2, 29, 23, 59, 59, 999_999, tzinfo=UTC)
TWEET = Tweet(
    id=7,
    user_id=3,
    content="hello there",
    created_at=AT,
    edited_at=AT.replace(microsecond=1),
    photos=(Photo(key="tweets/7/0.png", content_type="image/png", position=0),),
    likes_count=2,
    comments_count=1,
)
SUMMARY = UserSummary(id=3, username="alice_01", nickname="Al", avatar_url="/media/a.png")
# Not a cached type: a whole account (with its password hash) never goes to a cache.
ACCOUNT = User(id=3, username="alice_01", email="a@example.com", password_hash="h", created_at=AT)


def envelope(raw: bytes) -> dict[str, object]:
    body = json.loads(raw)
    assert isinstance(body, dict)
    return body


def tweet_json(**changes: object) -> bytes:
    body = envelope(encode(TWEET))
    value = body["value"]
    assert isinstance(value, dict)
    return json.dumps({**body, "value": {**value, **changes}}).encode()


@pytest.mark.parametrize(
    "value", [TWEET, SUMMARY, [1, 2, 3], [], 42, "text", {"a": [1, None, 2.5, True]}]
)
def test_every_cacheable_value_reads_back_equal(value: object) -> None:
    assert decode(encode(value)) == value


def test_a_naive_time_stays_naive_and_an_aware_one_keeps_its_instant() -> None:
    naive = Tweet(id=1, user_id=1, content="naive time", created_at=datetime(2024, 1, 1, 12))
    decoded = decode(encode(naive))
    assert isinstance(decoded, Tweet) and decoded.created_at.tzinfo is None
    assert decode(encode(TWEET)) == TWEET


@pytest.mark.parametrize(("value", "tag"), [(TWEET, "tweet"), (SUMMARY, "user_summary")])
def test_the_json_of_a_domain_object_names_its_type_version_and_every_field(
    value: object, tag: str
) -> None:
    body = envelope(encode(value))
    assert (body["type"], body["version"]) == (tag, 1)
    stored = body["value"]
    assert isinstance(stored, dict)
    # A new field on the dataclass fails here: give it a JSON form and bump the version.
    assert set(stored) == {f.name for f in fields(type(value))}  # type: ignore[arg-type]


@pytest.mark.parametrize("value", [ACCOUNT, (1, 2), {1, 2}, {1: "a"}, float("nan"), [AT]])
def test_a_value_without_a_json_form_is_refused_when_written(value: object) -> None:
    with pytest.raises(TypeError):
        encode(value)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\xff\xfe",
        b"not json",
        b"null",
        b"[1, 2]",
        b'{"type": "plain", "version": 1}',
        b'{"type": "plain", "version": 2, "value": 1}',
        b'{"type": "plain", "version": true, "value": 1}',
        b'{"type": "plain", "version": 1, "value": NaN}',
        b'{"type": "tweet", "version": 0, "value": {}}',
        b'{"type": "tweet", "version": "1", "value": {}}',
        b'{"type": "account", "version": 1, "value": {}}',
        b'{"type": ["tweet"], "version": 1, "value": {}}',
        b'{"type": "tweet", "version": 1, "value": []}',
        b"[" * 100_000 + b"]" * 100_000,
        pickle.dumps(TWEET, protocol=5),
        pickle.dumps(SUMMARY, protocol=2),
        tweet_json(id="7"),
        tweet_json(id=True),
        tweet_json(content=5),
        tweet_json(content="short"),
        tweet_json(created_at="yesterday"),
        tweet_json(created_at=None),
        tweet_json(photos={}),
        tweet_json(photos=[{"key": "k", "content_type": "image/png"}]),
        tweet_json(photos=[{"key": "k", "content_type": "image/png", "position": 0}] * 10),
        tweet_json(likes_count=1.5),
        tweet_json(retweets=0),
    ],
)
def test_anything_this_code_did_not_write_is_unreadable_and_nothing_else(raw: bytes) -> None:
    with pytest.raises(UnreadableValue):
        decode(raw)
