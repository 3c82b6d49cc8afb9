"""One request per blueprint: every view is reachable and its services are wired."""

from __future__ import annotations

from tests.http.helpers import Account, Chirp


def test_accounts_blueprint_answers_login_status(api: Chirp) -> None:
    response = api.get("/api/accounts/login_status/")
    assert response.status_code == 200
    assert response.json == {"has_logged_in": False}


def test_users_blueprint_refuses_an_anonymous_caller(api: Chirp) -> None:
    assert api.get("/api/users/").status_code == 401


def test_profiles_blueprint_serves_a_profile(api: Chirp, alice: Account) -> None:
    response = api.get(f"/api/profiles/{alice.id}/")
    assert response.status_code == 200
    assert response.json["user"]["username"] == "alice_01"


def test_tweets_blueprint_lists_a_users_tweets(api: Chirp, alice: Account) -> None:
    api.tweet(alice)
    response = api.get(f"/api/tweets/?user_id={alice.id}")
    assert response.status_code == 200
    assert [t["content"] for t in response.json["results"]] == ["hello, world"]


def test_friendships_blueprint_lists_followers(api: Chirp, alice: Account) -> None:
    response = api.get(f"/api/friendships/{alice.id}/followers/")
    assert response.status_code == 200
    assert response.json["results"] == []


def test_newsfeeds_blueprint_serves_the_callers_feed(api: Chirp, alice: Account) -> None:
    response = api.get("/api/newsfeeds/", alice)
    assert response.status_code == 200
    assert response.json["results"] == []


def test_comments_blueprint_lists_a_tweets_comments(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    response = api.get(f"/api/comments/?tweet_id={tweet['id']}")
    assert response.status_code == 200
    assert response.json["results"] == []


def test_likes_blueprint_likes_a_tweet(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    assert api.like(alice, "tweet", tweet["id"]).status_code == 201


def test_notifications_blueprint_counts_unread(api: Chirp, alice: Account) -> None:
    response = api.get("/api/notifications/unread-count/", alice)
    assert response.status_code == 200
    assert response.json == {"unread_count": 0}


def test_ops_blueprint_answers_healthz(api: Chirp) -> None:
    response = api.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_media_blueprint_answers_404_for_a_missing_file(api: Chirp) -> None:
    response = api.get("/media/photos/1/0.png")
    assert response.status_code == 404
    assert response.json["code"] == 404
