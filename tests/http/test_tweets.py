"""Tweets over HTTP: listing, posting (JSON and multipart), reading, editing, deleting."""

from __future__ import annotations

import re
from datetime import datetime

from tests.http.helpers import Account, Chirp, assert_error, is_id

TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
TWEET_KEYS = {
    "id",
    "user",
    "created_at",
    "edited_at",
    "content",
    "comments_count",
    "likes_count",
    "has_liked",
    "photo_urls",
}


def test_a_new_tweet_has_the_contract_shape(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice, "  my first tweet  ")
    assert set(tweet) == TWEET_KEYS
    assert tweet["content"] == "my first tweet"
    assert tweet["user"] == {
        "id": alice.id,
        "username": "alice_01",
        "nickname": None,
        "avatar_url": None,
    }
    assert TIME.match(tweet["created_at"]) and tweet["edited_at"] is None
    assert (tweet["comments_count"], tweet["likes_count"], tweet["has_liked"]) == (0, 0, False)
    assert tweet["photo_urls"] == [] and is_id(tweet["id"])


def test_posting_needs_authentication(api: Chirp) -> None:
    assert_error(api.post("/api/tweets/", json={"content": "hello world"}), 401)


def test_too_short_content_is_a_400_naming_content(api: Chirp, alice: Account) -> None:
    assert_error(api.post("/api/tweets/", alice, json={"content": "  hi   "}), 400, "content")


def test_too_long_content_is_a_400_naming_content(api: Chirp, alice: Account) -> None:
    assert_error(api.post("/api/tweets/", alice, json={"content": "x" * 141}), 400, "content")


def test_listing_without_user_id_says_it_is_missing(api: Chirp) -> None:
    response = api.get("/api/tweets/")
    assert_error(response, 400, "user_id")
    assert response.json["message"] == "missing user_id in request"


def test_listing_an_unknown_users_tweets_is_an_empty_page(api: Chirp) -> None:
    response = api.get("/api/tweets/?user_id=12345")
    assert response.status_code == 200
    assert response.json == {
        "results": [],
        "has_next_page": False,
        "next_cursor": None,
        "prev_cursor": None,
    }


def test_listing_shows_a_users_tweets_newest_first(
    api: Chirp, alice: Account, bob: Account
) -> None:
    first, second = api.tweet(alice, "first tweet"), api.tweet(alice, "second tweet")
    api.tweet(bob, "not alice's")
    response = api.get(f"/api/tweets/?user_id={alice.id}")
    assert [t["id"] for t in response.json["results"]] == [second["id"], first["id"]]


def test_reading_a_tweet_includes_comments_oldest_first_and_likes_newest_first(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    c1, c2 = api.comment(bob, tweet["id"], "first!"), api.comment(alice, tweet["id"], "thanks")
    api.like(bob, "tweet", tweet["id"])
    api.like(alice, "tweet", tweet["id"])
    body = api.get(f"/api/tweets/{tweet['id']}/", bob).json
    assert [c["id"] for c in body["comments"]] == [c1["id"], c2["id"]]
    assert [lk["user"]["id"] for lk in body["likes"]] == [alice.id, bob.id]
    assert set(body["likes"][0]) == {"user", "created_at"}
    assert (body["comments_count"], body["likes_count"], body["has_liked"]) == (2, 2, True)


def test_reading_an_unknown_tweet_is_a_404(api: Chirp) -> None:
    assert_error(api.get("/api/tweets/999999/"), 404)


def test_the_owner_edits_a_tweet_and_edited_at_is_set(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    response = api.call("PATCH", f"/api/tweets/{tweet['id']}/", alice, json={"content": "edited!"})
    assert response.status_code == 200
    assert response.json["content"] == "edited!" and TIME.match(response.json["edited_at"])
    assert api.get(f"/api/tweets/{tweet['id']}/").json["content"] == "edited!"


def test_editing_someone_elses_tweet_is_a_403(api: Chirp, alice: Account, bob: Account) -> None:
    tweet = api.tweet(alice)
    response = api.call("PATCH", f"/api/tweets/{tweet['id']}/", bob, json={"content": "hacked!"})
    assert_error(response, 403)


def test_editing_anonymously_is_a_401(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    assert_error(api.call("PATCH", f"/api/tweets/{tweet['id']}/", json={"content": "x" * 9}), 401)


def test_deleting_someone_elses_tweet_is_a_403_and_an_unknown_one_a_404(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    assert_error(api.call("DELETE", f"/api/tweets/{tweet['id']}/", bob), 403)
    assert_error(api.call("DELETE", "/api/tweets/424242/", bob), 404)


def test_a_deleted_tweet_is_gone_with_its_comments_and_likes(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    comment = api.comment(bob, tweet["id"])
    api.like(bob, "tweet", tweet["id"])
    response = api.call("DELETE", f"/api/tweets/{tweet['id']}/", alice)
    assert response.status_code == 200 and response.json == {"success": True}
    assert_error(api.get(f"/api/tweets/{tweet['id']}/"), 404)
    assert_error(api.get(f"/api/comments/{comment['id']}/"), 404)
    assert_error(
        api.call("PATCH", f"/api/comments/{comment['id']}/", bob, json={"content": "still here?"}),
        404,
    )
    assert api.get(f"/api/comments/?tweet_id={tweet['id']}").json["results"] == []
    assert_error(api.like(bob, "tweet", tweet["id"]), 400, "object_id")
    assert api.get(f"/api/tweets/?user_id={alice.id}").json["results"] == []


def test_a_retry_with_the_same_idempotency_key_returns_the_first_tweet(
    api: Chirp, alice: Account
) -> None:
    key = {"Idempotency-Key": "retry-1"}
    first = api.post("/api/tweets/", alice, json={"content": "only once"}, headers=key)
    again = api.post("/api/tweets/", alice, json={"content": "only once"}, headers=key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert len(api.get(f"/api/tweets/?user_id={alice.id}").json["results"]) == 1


def test_retrying_a_key_whose_tweet_was_deleted_is_a_409_and_makes_no_tweet(
    api: Chirp, alice: Account
) -> None:
    key = {"Idempotency-Key": "retry-after-delete"}
    first = api.post("/api/tweets/", alice, json={"content": "soon gone"}, headers=key)
    api.call("DELETE", f"/api/tweets/{first.json['id']}/", alice)
    again = api.post("/api/tweets/", alice, json={"content": "soon gone"}, headers=key)
    assert_error(again, 409, "Idempotency-Key")
    assert "deleted" in again.json["message"]
    assert api.get(f"/api/tweets/?user_id={alice.id}").json["results"] == []
    fresh = {"Idempotency-Key": "a-new-key"}
    assert (
        api.post("/api/tweets/", alice, json={"content": "back again"}, headers=fresh).status_code
        == 201
    )


def test_idempotency_keys_are_per_user(api: Chirp, alice: Account, bob: Account) -> None:
    key = {"Idempotency-Key": "same-key"}
    mine = api.post("/api/tweets/", alice, json={"content": "alice says"}, headers=key)
    theirs = api.post("/api/tweets/", bob, json={"content": "bob says"}, headers=key)
    assert (mine.status_code, theirs.status_code) == (201, 201)
    assert mine.json["id"] != theirs.json["id"]


def test_created_at_is_the_tweet_time_in_utc(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    moment = datetime.fromisoformat(tweet["created_at"].replace("Z", "+00:00"))
    assert moment.utcoffset() is not None and moment.utcoffset().total_seconds() == 0
