"""Comments and likes over HTTP: shapes, ownership, exact counts and errors naming fields."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tests.http.helpers import Account, Chirp, assert_error

COMMENT_KEYS = {
    "id",
    "tweet_id",
    "user",
    "content",
    "created_at",
    "updated_at",
    "likes_count",
    "has_liked",
}


def test_a_new_comment_has_the_contract_shape(api: Chirp, alice: Account, bob: Account) -> None:
    tweet = api.tweet(alice)
    comment = api.comment(bob, tweet["id"], " great ")
    assert set(comment) == COMMENT_KEYS
    assert comment["tweet_id"] == tweet["id"] and comment["content"] == "great"
    assert comment["user"]["id"] == bob.id and comment["likes_count"] == 0


def test_commenting_on_an_unknown_tweet_is_a_400_naming_tweet_id(
    api: Chirp, alice: Account
) -> None:
    response = api.post("/api/comments/", alice, json={"tweet_id": 777, "content": "hello"})
    assert_error(response, 400, "tweet_id")


def test_commenting_needs_authentication(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    assert_error(api.post("/api/comments/", json={"tweet_id": tweet["id"], "content": "x"}), 401)


def test_listing_comments_without_tweet_id_says_it_is_missing(api: Chirp) -> None:
    response = api.get("/api/comments/")
    assert_error(response, 400, "tweet_id")
    assert response.json["message"] == "missing tweet_id in request"


def test_comments_are_listed_oldest_first_and_page_forward(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    ids = [api.comment(alice, tweet["id"], f"comment {i}")["id"] for i in range(5)]
    first = api.get(f"/api/comments/?tweet_id={tweet['id']}&limit=3").json
    assert [c["id"] for c in first["results"]] == ids[:3] and first["has_next_page"]
    rest = api.get(f"/api/comments/?tweet_id={tweet['id']}&cursor={first['next_cursor']}").json
    assert [c["id"] for c in rest["results"]] == ids[3:] and not rest["has_next_page"]


def test_editing_a_comment_changes_only_its_content(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet, other = api.tweet(alice), api.tweet(bob)
    comment = api.comment(bob, tweet["id"])
    body = {"content": "edited", "tweet_id": other["id"], "user": alice.id, "likes_count": 9}
    response = api.call("PUT", f"/api/comments/{comment['id']}/", bob, json=body)
    assert response.status_code == 200
    assert response.json["content"] == "edited" and response.json["tweet_id"] == tweet["id"]
    assert response.json["likes_count"] == 0 and response.json["user"]["id"] == bob.id


def test_editing_or_deleting_someone_elses_comment_is_a_403(
    api: Chirp, alice: Account, bob: Account
) -> None:
    comment = api.comment(bob, api.tweet(alice)["id"])
    path = f"/api/comments/{comment['id']}/"
    assert_error(api.call("PATCH", path, alice, json={"content": "mine now"}), 403)
    assert_error(api.call("DELETE", path, alice), 403)


def test_deleting_a_comment_updates_the_count(api: Chirp, alice: Account, bob: Account) -> None:
    tweet = api.tweet(alice)
    comment = api.comment(bob, tweet["id"])
    response = api.call("DELETE", f"/api/comments/{comment['id']}/", bob)
    assert response.json == {"success": True}
    assert api.get(f"/api/tweets/{tweet['id']}/").json["comments_count"] == 0
    assert_error(api.call("DELETE", f"/api/comments/{comment['id']}/", bob), 404)


def test_a_like_answers_201_then_200_not_created_and_counts_once(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    first, again = api.like(bob, "tweet", tweet["id"]), api.like(bob, "tweet", tweet["id"])
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json["created"] is True and again.json["created"] is False
    assert set(first.json) == {"user", "created_at", "created"}
    assert first.json["user"]["id"] == bob.id
    assert api.get(f"/api/tweets/{tweet['id']}/").json["likes_count"] == 1


def test_likes_count_is_exact_across_users_and_cancels(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    fans = [api.signup() for _ in range(4)]
    for fan in fans:
        api.like(fan, "tweet", tweet["id"])
    cancel = {"content_type": "tweet", "object_id": tweet["id"]}
    assert api.post("/api/likes/cancel/", fans[0], json=cancel).json == {
        "success": True,
        "deleted": 1,
    }
    assert api.post("/api/likes/cancel/", fans[0], json=cancel).json["deleted"] == 0
    assert api.get(f"/api/tweets/{tweet['id']}/").json["likes_count"] == 3


def test_liking_a_comment_counts_on_the_comment(api: Chirp, alice: Account, bob: Account) -> None:
    tweet = api.tweet(alice)
    comment = api.comment(alice, tweet["id"])
    assert api.like(bob, "comment", comment["id"]).status_code == 201
    listed = api.get(f"/api/comments/?tweet_id={tweet['id']}", bob).json["results"][0]
    assert listed["likes_count"] == 1 and listed["has_liked"] is True


def test_a_bad_content_type_is_a_400_naming_content_type(api: Chirp, alice: Account) -> None:
    assert_error(api.like(alice, "user", 1), 400, "content_type")


def test_liking_an_unknown_object_is_a_400_naming_object_id(api: Chirp, alice: Account) -> None:
    assert_error(api.like(alice, "comment", 31337), 400, "object_id")


def test_liking_needs_authentication(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    response = api.post("/api/likes/", json={"content_type": "tweet", "object_id": tweet["id"]})
    assert_error(response, 401)


def test_likes_count_is_exact_under_concurrent_likes(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    fans = [api.signup() for _ in range(8)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda fan: api.like(fan, "tweet", tweet["id"]).status_code, fans + fans)
        )
    assert sorted(statuses) == [200] * 8 + [201] * 8
    assert api.get(f"/api/tweets/{tweet['id']}/").json["likes_count"] == 8
