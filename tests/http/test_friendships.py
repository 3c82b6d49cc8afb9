"""Friendships and the newsfeed over HTTP: follow, unfollow, lists, backfill and fan-out."""

from __future__ import annotations

from tests.http.helpers import Account, Chirp, assert_error


def test_following_answers_201_with_the_followed_user(
    api: Chirp, alice: Account, bob: Account
) -> None:
    body = api.follow(alice, bob).json
    assert set(body) == {"user", "created_at", "has_followed", "duplicate"}
    assert body["user"]["id"] == bob.id and body["has_followed"] is True
    assert body["duplicate"] is False


def test_following_again_is_a_201_marked_duplicate(
    api: Chirp, alice: Account, bob: Account
) -> None:
    first = api.follow(alice, bob).json
    again = api.follow(alice, bob).json
    assert again["duplicate"] is True and again["created_at"] == first["created_at"]
    assert len(api.get(f"/api/friendships/{bob.id}/followers/").json["results"]) == 1


def test_following_yourself_is_a_400(api: Chirp, alice: Account) -> None:
    assert_error(api.post(f"/api/friendships/{alice.id}/follow/", alice), 400)
    assert_error(api.post(f"/api/friendships/{alice.id}/unfollow/", alice), 400)


def test_following_an_unknown_user_is_a_404(api: Chirp, alice: Account) -> None:
    assert_error(api.post("/api/friendships/987654321/follow/", alice), 404)
    assert_error(api.post("/api/friendships/987654321/unfollow/", alice), 404)


def test_following_anonymously_is_a_401(api: Chirp, bob: Account) -> None:
    assert_error(api.post(f"/api/friendships/{bob.id}/follow/"), 401)


def test_unfollow_reports_how_many_edges_went(api: Chirp, alice: Account, bob: Account) -> None:
    api.follow(alice, bob)
    first = api.post(f"/api/friendships/{bob.id}/unfollow/", alice)
    again = api.post(f"/api/friendships/{bob.id}/unfollow/", alice)
    assert (first.status_code, first.json) == (200, {"success": True, "deleted": 1})
    assert again.json == {"success": True, "deleted": 0}


def test_followers_and_followings_show_the_other_side_and_the_callers_edges(
    api: Chirp, alice: Account, bob: Account
) -> None:
    carol = api.signup("carol_01")
    api.follow(alice, bob)
    api.follow(carol, bob)
    api.follow(bob, carol)
    followers = api.get(f"/api/friendships/{bob.id}/followers/", bob).json["results"]
    assert [(f["user"]["id"], f["has_followed"]) for f in followers] == [
        (carol.id, True),
        (alice.id, False),
    ]
    followings = api.get(f"/api/friendships/{alice.id}/followings/").json["results"]
    assert [(f["user"]["id"], f["has_followed"]) for f in followings] == [(bob.id, False)]
    assert set(followings[0]) == {"user", "created_at", "has_followed"}


def test_the_newsfeed_holds_my_own_tweets_at_once(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    item = api.get("/api/newsfeeds/", alice).json["results"][0]
    assert item["id"] == tweet["id"] and item["created_at"] == tweet["created_at"]
    assert item["tweet"] == tweet


def test_following_backfills_their_recent_tweets(api: Chirp, alice: Account, bob: Account) -> None:
    old = [api.tweet(bob, f"bob tweet {i}")["id"] for i in range(3)]
    api.follow(alice, bob)
    assert api.feed_ids(alice) == old[::-1]


def test_a_new_tweet_fans_out_to_followers(api: Chirp, alice: Account, bob: Account) -> None:
    api.follow(alice, bob)
    tweet = api.tweet(bob, "fan me out")
    assert api.feed_ids(alice) == [tweet["id"]]


def test_unfollowing_removes_their_tweets_from_my_feed(
    api: Chirp, alice: Account, bob: Account
) -> None:
    mine = api.tweet(alice, "mine, stays")
    api.follow(alice, bob)
    api.tweet(bob, "goes away")
    api.settle()
    api.post(f"/api/friendships/{bob.id}/unfollow/", alice)
    assert api.feed_ids(alice) == [mine["id"]]


def test_a_deleted_tweet_disappears_from_followers_feeds(
    api: Chirp, alice: Account, bob: Account
) -> None:
    api.follow(alice, bob)
    keep, gone = api.tweet(bob, "keep this"), api.tweet(bob, "delete this")
    assert api.feed_ids(alice) == [gone["id"], keep["id"]]
    api.call("DELETE", f"/api/tweets/{gone['id']}/", bob)
    assert api.feed_ids(alice) == [keep["id"]]
    assert api.feed_ids(bob) == [keep["id"]]


def test_the_newsfeed_needs_authentication(api: Chirp) -> None:
    assert_error(api.get("/api/newsfeeds/"), 401)
