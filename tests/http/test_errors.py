"""Hostile and odd requests: always the error body, the right status, and never a 500."""

from __future__ import annotations

import logging

import pytest
from dependency_injector import providers

from core.domain.errors import Unavailable
from tests.http.helpers import Account, Chirp, assert_error

MAX_ID = 2**63 - 1


def test_an_unknown_route_is_a_404_in_the_error_body(api: Chirp) -> None:
    assert_error(api.get("/api/nothing-here/"), 404)


def test_a_wrong_method_is_a_405_with_allow(api: Chirp) -> None:
    response = api.call("DELETE", "/api/newsfeeds/")
    assert_error(response, 405)
    assert "GET" in response.headers["Allow"]


def test_paths_work_without_the_trailing_slash_and_without_a_redirect(
    api: Chirp, alice: Account
) -> None:
    tweet = api.tweet(alice)
    assert api.get(f"/api/tweets/{tweet['id']}").status_code == 200
    assert api.get(f"/api/tweets?user_id={alice.id}").status_code == 200
    assert api.get("/api/notifications/unread-count", alice).status_code == 200
    assert api.post(f"/api/friendships/{alice.id}/follow", alice).status_code == 400
    assert api.get("/api/docs").status_code == 200


def test_malformed_json_is_a_400(api: Chirp, alice: Account) -> None:
    for raw in (b"{", b"{'content': 1}", b"\xff\xfe", b"[" * 100_000, b"1" * 5000, b"nul"):
        response = api.post("/api/tweets/", alice, data=raw, content_type="application/json")
        assert_error(response, 400)


def test_a_json_body_that_is_not_an_object_is_a_400(api: Chirp, alice: Account) -> None:
    for raw in (b"[]", b'"text"', b"null", b"42"):
        response = api.post("/api/tweets/", alice, data=raw, content_type="application/json")
        assert_error(response, 400)


def test_an_empty_body_says_what_is_missing(api: Chirp, alice: Account) -> None:
    for kwargs in ({}, {"data": b"", "content_type": "application/json"}, {"data": "x=1"}):
        response = api.post("/api/likes/", alice, **kwargs)
        assert_error(response, 400, "content_type")
        assert response.json["message"].startswith("missing ")


def test_wrong_json_types_are_400s_naming_the_field(api: Chirp, alice: Account) -> None:
    cases = [
        ("/api/tweets/", {"content": 12345678}, "content"),
        ("/api/tweets/", {"content": ["a list of words"]}, "content"),
        ("/api/likes/", {"content_type": "tweet", "object_id": "abc"}, "object_id"),
        ("/api/likes/", {"content_type": "tweet", "object_id": 1.5}, "object_id"),
        ("/api/likes/", {"content_type": "tweet", "object_id": True}, "object_id"),
        ("/api/likes/", {"content_type": {"a": 1}, "object_id": 1}, "content_type"),
        ("/api/comments/", {"tweet_id": None, "content": "hi"}, "tweet_id"),
        ("/api/accounts/login/", {"username": 1, "password": 2}, "username"),
    ]
    for path, body, field in cases:
        assert_error(api.post(path, alice, json=body), 400, field)


def test_non_finite_numbers_are_400s(api: Chirp, alice: Account) -> None:
    for raw in (
        b'{"content_type": "tweet", "object_id": Infinity}',
        b'{"content_type": "tweet", "object_id": NaN}',
        b'{"content_type": "tweet", "object_id": 1e400}',
    ):
        response = api.post("/api/likes/", alice, data=raw, content_type="application/json")
        assert_error(response, 400)


@pytest.mark.parametrize("object_id", [0, -1, MAX_ID + 1, 10**30, "9" * 5000])
def test_body_ids_out_of_range_are_400s(api: Chirp, alice: Account, object_id: object) -> None:
    response = api.post(
        "/api/likes/", alice, json={"content_type": "tweet", "object_id": object_id}
    )
    assert_error(response, 400, "object_id")


@pytest.mark.parametrize("user_id", ["0", "-5", str(MAX_ID + 1), "9" * 5000, "1e3", "%00"])
def test_query_ids_out_of_range_are_400s(api: Chirp, user_id: str) -> None:
    assert_error(api.get(f"/api/tweets/?user_id={user_id}"), 400, "user_id")


@pytest.mark.parametrize("path_id", ["0", "-1", str(MAX_ID + 1), "9" * 5000, "abc", "1.5"])
def test_path_ids_out_of_range_are_404s(api: Chirp, alice: Account, path_id: str) -> None:
    assert_error(api.get(f"/api/tweets/{path_id}/"), 404)
    assert_error(api.post(f"/api/friendships/{path_id}/follow/", alice), 404)


def test_the_largest_id_is_simply_not_found(api: Chirp, alice: Account) -> None:
    assert_error(api.get(f"/api/tweets/{MAX_ID}/"), 404)
    assert_error(api.like(alice, "tweet", MAX_ID), 400, "object_id")
    assert api.get(f"/api/tweets/?user_id={MAX_ID}").json["results"] == []


def test_huge_and_odd_unicode_is_handled(api: Chirp, alice: Account) -> None:
    emoji = api.post("/api/tweets/", alice, json={"content": "🐦" * 140})
    assert emoji.status_code == 201 and emoji.json["content"] == "🐦" * 140
    assert_error(api.post("/api/tweets/", alice, json={"content": "🐦" * 100_000}), 400, "content")
    nul = api.post("/api/tweets/", alice, json={"content": "zero\x00byte here"})
    assert nul.status_code in (201, 400)
    rtl = api.post("/api/tweets/", alice, json={"content": "\u202eevil\u200b\ufeff text"})
    assert rtl.status_code == 201


def test_a_lone_surrogate_is_a_400(api: Chirp, alice: Account) -> None:
    raw = b'{"content": "broken \\ud800 text"}'
    response = api.post("/api/tweets/", alice, data=raw, content_type="application/json")
    assert_error(response, 400, "content")
    login = b'{"username": "\\udfff_user", "password": "\\ud83d"}'
    response = api.post("/api/accounts/login/", data=login, content_type="application/json")
    assert_error(response, 400)


def test_odd_authorization_headers_are_401s(api: Chirp) -> None:
    for value in ("Bearer", "Bearer ", "Basic abc", "Bearer \u00ff\u00fe", "x" * 10_000):
        assert_error(api.get("/api/newsfeeds/", headers={"Authorization": value}), 401)


def test_an_odd_idempotency_key_is_handled(api: Chirp, alice: Account) -> None:
    headers = {"Idempotency-Key": "k" * 300}
    response = api.post("/api/tweets/", alice, json={"content": "hello there"}, headers=headers)
    assert_error(response, 400, "Idempotency-Key")


def test_a_down_backend_is_a_503(api: Chirp, alice: Account) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise Unavailable("database unavailable")

    with api.container.timeline.override(providers.Callable(broken)):
        assert_error(api.get("/api/newsfeeds/", alice), 503)


def test_an_unexpected_error_is_a_logged_500_in_the_error_body(
    api: Chirp, alice: Account, caplog: pytest.LogCaptureFixture
) -> None:
    def exploding(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    with (
        api.container.timeline.override(providers.Callable(exploding)),
        caplog.at_level(logging.ERROR, "chirp.http"),
    ):
        response = api.get("/api/newsfeeds/", alice)
    assert_error(response, 500)
    assert "boom" not in response.get_data(as_text=True)
    assert any(record.exc_info for record in caplog.records)
