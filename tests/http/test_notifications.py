"""Notifications over HTTP: who is told what, unread counts and marking read."""

from __future__ import annotations

from tests.http.helpers import Account, Chirp, assert_error


def notes(api: Chirp, who: Account, query: str = "") -> list[dict]:
    response = api.get(f"/api/notifications/{query}", who)
    assert response.status_code == 200, response.json
    return response.json["results"]


def test_following_commenting_and_liking_notify_the_owner(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice)
    api.follow(bob, alice)
    comment = api.comment(bob, tweet["id"])
    api.like(bob, "tweet", tweet["id"])
    api.like(bob, "comment", comment["id"])  # bob's own comment: nobody is told
    got = [(n["verb"], n["target"]) for n in notes(api, alice)]
    assert got == [
        ("liked your tweet", {"type": "tweet", "id": tweet["id"]}),
        ("commented on your tweet", {"type": "tweet", "id": tweet["id"]}),
        ("followed you", {"type": "user", "id": bob.id}),
    ]
    assert notes(api, bob) == []


def test_a_notification_has_the_contract_shape(api: Chirp, alice: Account, bob: Account) -> None:
    api.follow(bob, alice)
    [note] = notes(api, alice)
    assert set(note) == {"id", "verb", "actor", "target", "unread", "timestamp"}
    assert note["actor"]["id"] == bob.id and note["unread"] is True


def test_liking_a_comment_notifies_its_author_once(
    api: Chirp, alice: Account, bob: Account
) -> None:
    comment = api.comment(alice, api.tweet(alice)["id"])
    api.like(bob, "comment", comment["id"])
    api.like(bob, "comment", comment["id"])
    assert [n["verb"] for n in notes(api, alice)] == ["liked your comment"]


def test_unread_count_mark_one_and_mark_all(api: Chirp, alice: Account, bob: Account) -> None:
    tweet = api.tweet(alice)
    api.follow(bob, alice)
    api.comment(bob, tweet["id"])
    api.like(bob, "tweet", tweet["id"])
    assert api.get("/api/notifications/unread-count/", alice).json == {"unread_count": 3}
    newest = notes(api, alice)[0]
    marked = api.call("PATCH", f"/api/notifications/{newest['id']}/", alice, json={"unread": False})
    assert marked.status_code == 200 and marked.json["unread"] is False
    assert len(notes(api, alice, "?unread=true")) == 2
    assert [n["id"] for n in notes(api, alice, "?unread=false")] == [newest["id"]]
    assert api.post("/api/notifications/mark-all-as-read/", alice).json == {"marked_count": 2}
    assert api.get("/api/notifications/unread-count/", alice).json == {"unread_count": 0}


def test_someone_elses_notification_is_a_404(api: Chirp, alice: Account, bob: Account) -> None:
    api.follow(bob, alice)
    [note] = notes(api, alice)
    response = api.call("PUT", f"/api/notifications/{note['id']}/", bob, json={"unread": False})
    assert_error(response, 404)


def test_marking_without_unread_says_it_is_missing(api: Chirp, alice: Account) -> None:
    response = api.call("PUT", "/api/notifications/1/", alice, json={})
    assert_error(response, 400, "unread")
    assert response.json["message"] == "missing unread in request"


def test_notifications_need_authentication(api: Chirp) -> None:
    assert_error(api.get("/api/notifications/"), 401)
    assert_error(api.get("/api/notifications/unread-count/"), 401)
    assert_error(api.post("/api/notifications/mark-all-as-read/"), 401)
