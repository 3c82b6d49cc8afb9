"""Ids over HTTP: written as decimal strings everywhere, read from a string or a number."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from core.domain.ids import MAX_ID
from tests.http.helpers import Account, Chirp, assert_error, is_id

# What a JavaScript client's JSON.parse keeps exactly; every id chirp makes is above it.
JS_SAFE = 2**53


def ids_in(body: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """(where, value) of every `id` and `*_id` of a JSON body, lists marked `[]`."""
    if isinstance(body, dict):
        for key, value in body.items():
            where = f"{path}.{key}" if path else key
            if key == "id" or key.endswith("_id"):
                yield where, value
            yield from ids_in(value, where)
    elif isinstance(body, list):
        for value in body:
            yield from ids_in(value, f"{path}[]")


def sample(api: Chirp, alice: Account, bob: Account) -> dict[str, Any]:
    """One response body of every kind that carries ids, after a little activity."""
    carol = api.post(
        "/api/accounts/signup/",
        json={"username": "carol_01", "email": "carol@example.com", "password": "secret1"},
    )
    tweet = api.tweet(alice, "ids are strings")
    comment = api.comment(bob, tweet["id"])
    like = api.like(bob, "comment", comment["id"])
    api.like(bob, "tweet", tweet["id"])
    follow = api.follow(bob, alice)
    api.settle()
    return {
        "signup": carol.json,
        "login_status": api.get("/api/accounts/login_status/", alice).json,
        "tweet": tweet,
        "tweet_detail": api.get(f"/api/tweets/{tweet['id']}/").json,
        "tweets": api.get(f"/api/tweets/?user_id={alice.id}").json,
        "feed": api.get("/api/newsfeeds/", bob).json,
        "comments": api.get(f"/api/comments/?tweet_id={tweet['id']}").json,
        "like": like.json,
        "notifications": api.get("/api/notifications/", alice).json,
        "follow": follow.json,
        "followers": api.get(f"/api/friendships/{alice.id}/followers/").json,
        "followings": api.get(f"/api/friendships/{bob.id}/followings/").json,
        "profile": api.get(f"/api/profiles/{alice.id}/").json,
        "users": api.get("/api/users/", api.admin()).json,
    }


# Where each sampled body must carry ids: the walk below may not pass for want of any.
EXPECTED = {
    "signup": {"user.id"},
    "login_status": {"user.id"},
    "tweet": {"id", "user.id"},
    "tweet_detail": {
        "id",
        "user.id",
        "comments[].id",
        "comments[].tweet_id",
        "comments[].user.id",
        "likes[].user.id",
    },
    "tweets": {"results[].id", "results[].user.id"},
    "feed": {"results[].id", "results[].tweet.id", "results[].tweet.user.id"},
    "comments": {"results[].id", "results[].tweet_id", "results[].user.id"},
    "like": {"user.id"},
    "notifications": {"results[].id", "results[].actor.id", "results[].target.id"},
    "follow": {"user.id"},
    "followers": {"results[].user.id"},
    "followings": {"results[].user.id"},
    "profile": {"id", "user.id"},
    "users": {"results[].id"},
}


def test_every_id_in_every_kind_of_response_is_a_decimal_string(
    api: Chirp, alice: Account, bob: Account
) -> None:
    bodies = sample(api, alice, bob)
    for name, body in bodies.items():
        found = list(ids_in(body))
        assert {where for where, _ in found} == EXPECTED[name], (name, body)
        bad = [(where, value) for where, value in found if not is_id(value)]
        assert bad == [], (name, bad)


def test_an_id_in_a_body_may_be_a_string_or_a_number(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    as_number = api.comment(bob, int(tweet["id"]), "sent as a number")
    as_string = api.comment(bob, tweet["id"], "sent as a string")
    assert as_number["tweet_id"] == as_string["tweet_id"] == tweet["id"]
    first = api.like(bob, "tweet", int(tweet["id"]))
    again = api.like(bob, "tweet", tweet["id"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["created"] is False
    cancel = {"content_type": "tweet", "object_id": int(tweet["id"])}
    assert api.post("/api/likes/cancel/", bob, json=cancel).json["deleted"] == 1


def test_an_id_above_2_to_the_53_round_trips_exactly(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    assert int(tweet["id"]) > JS_SAFE and int(alice.id) > JS_SAFE
    assert api.get(f"/api/tweets/{tweet['id']}/").json["id"] == tweet["id"]
    assert api.get(f"/api/tweets/?user_id={alice.id}").json["results"][0]["id"] == tweet["id"]
    assert api.like(bob, "tweet", tweet["id"]).status_code == 201
    [note] = api.get("/api/notifications/", alice).json["results"]
    assert note["target"] == {"type": "tweet", "id": tweet["id"]}
    assert note["actor"]["id"] == bob.id


def test_a_float_id_is_refused_as_possibly_rounded(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    for rounded in (float(int(tweet["id"])), 777.0):
        body = {"tweet_id": rounded, "content": "a float id"}
        assert_error(api.post("/api/comments/", bob, json=body), 400, "tweet_id")
    assert api.get(f"/api/tweets/{tweet['id']}/").json["comments_count"] == 0


@pytest.mark.parametrize(
    "object_id",
    ["-5", "+12", " 12", "12 ", "1_000", "12.0", "0x1f", "\u0661\u0662", "", str(MAX_ID + 1)],
)
def test_an_id_string_other_than_plain_digits_is_a_400_naming_the_field(
    api: Chirp, alice: Account, object_id: str
) -> None:
    assert_error(api.like(alice, "tweet", object_id), 400, "object_id")


def test_query_ids_are_digits_and_may_carry_leading_zeros(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    listed = api.get(f"/api/tweets/?user_id=00{alice.id}").json["results"]
    assert [t["id"] for t in listed] == [tweet["id"]]
    assert_error(api.get(f"/api/tweets/?user_id=%2B{alice.id}"), 400, "user_id")
