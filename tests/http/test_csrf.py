"""Cross-site request forgery: the session cookie alone never lets another site write."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from werkzeug.test import TestResponse

from container import build_container
from entrypoints.http.app import create_app
from entrypoints.http.csrf import origin_of
from settings import Settings
from tests.http.helpers import (
    PASSWORD,
    TEST_SCRYPT_N,
    Account,
    Chirp,
    assert_error,
    close_container,
    concrete,
    operations,
)

EVIL = "https://evil.example"


def cookie_post(api: Chirp, path: str, who: Account, **kwargs: Any) -> TestResponse:
    """A POST carrying only `who`'s session cookie, as a browser attaches it."""
    headers = {"Cookie": f"chirp_session={who.token}", **kwargs.pop("headers", {})}
    return api.post(path, headers=headers, **kwargs)


def test_a_cross_site_form_post_with_only_the_cookie_cannot_tweet(
    api: Chirp, alice: Account
) -> None:
    response = cookie_post(
        api, "/api/tweets/", alice, data={"content": "forged tweet"}, headers={"Origin": EVIL}
    )
    assert_error(response, 403)
    assert api.get(f"/api/tweets/?user_id={alice.id}").json["results"] == []


def test_a_cross_site_form_post_with_only_the_cookie_cannot_like(
    api: Chirp, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(bob)
    form = {"content_type": "tweet", "object_id": tweet["id"]}
    response = cookie_post(
        api, "/api/likes/", alice, data=form, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert_error(response, 403)
    assert api.get(f"/api/tweets/{tweet['id']}/").json["likes_count"] == 0


def test_a_cookie_post_that_does_not_say_where_it_came_from_is_refused(
    api: Chirp, alice: Account
) -> None:
    assert_error(cookie_post(api, "/api/tweets/", alice, data={"content": "forged tweet"}), 403)


def test_a_cross_site_login_form_is_refused(api: Chirp, alice: Account) -> None:
    form = {"username": alice.username, "password": PASSWORD}
    response = api.post("/api/accounts/login/", data=form, headers={"Origin": EVIL})
    assert_error(response, 403)
    assert "Set-Cookie" not in response.headers


def test_a_cross_site_signup_is_refused(api: Chirp) -> None:
    form = {"username": "mallory_1", "email": "m@example.com", "password": PASSWORD}
    assert_error(api.post("/api/accounts/signup/", data=form, headers={"Origin": EVIL}), 403)


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://localhost"},
        {"Origin": "http://LOCALHOST:80"},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "none"},
    ],
)
def test_a_same_origin_browser_request_with_the_cookie_is_accepted(
    api: Chirp, alice: Account, headers: dict[str, str]
) -> None:
    response = cookie_post(
        api, "/api/tweets/", alice, json={"content": "from my own page"}, headers=headers
    )
    assert response.status_code == 201, response.json


def test_a_same_origin_login_form_is_accepted(api: Chirp, alice: Account) -> None:
    form = {"username": alice.username, "password": PASSWORD}
    response = api.post("/api/accounts/login/", data=form, headers={"Origin": "http://localhost"})
    assert response.status_code == 200, response.json


def test_a_sibling_subdomain_is_not_same_origin(api: Chirp, alice: Account) -> None:
    response = cookie_post(
        api,
        "/api/tweets/",
        alice,
        json={"content": "from a sibling"},
        headers={"Sec-Fetch-Site": "same-site"},
    )
    assert_error(response, 403)


def test_a_bearer_request_without_origin_is_accepted(api: Chirp, alice: Account) -> None:
    response = api.post("/api/tweets/", alice, json={"content": "from a native app"})
    assert response.status_code == 201, response.json


def test_a_bearer_request_from_another_origin_is_accepted(api: Chirp, alice: Account) -> None:
    # A page on another site cannot read the token, so sending it proves the caller has it.
    response = api.post(
        "/api/tweets/", alice, json={"content": "from a partner site"}, headers={"Origin": EVIL}
    )
    assert response.status_code == 201, response.json


def test_a_cross_site_read_with_the_cookie_is_not_refused(api: Chirp, alice: Account) -> None:
    response = api.get(
        "/api/newsfeeds/", headers={"Cookie": f"chirp_session={alice.token}", "Origin": EVIL}
    )
    assert response.status_code == 200


def test_every_unsafe_operation_refuses_a_cross_site_cookie_request_as_documented(
    api: Chirp, alice: Account
) -> None:
    spec = api.get("/api/openapi.json").json
    unsafe = {
        key: operation
        for key, operation in operations(spec).items()
        if key[0] in ("post", "put", "patch", "delete")
    }
    assert unsafe
    for (method, path), operation in unsafe.items():
        response = api.call(
            method.upper(),
            concrete(path),
            headers={"Cookie": f"chirp_session={alice.token}", "Origin": EVIL},
        )
        assert_error(response, 403)
        assert "403" in operation["responses"], (method, path)


def test_origins_compare_scheme_host_and_port() -> None:
    assert origin_of("https://Chirp.example:443/x") == "https://chirp.example"
    assert origin_of("http://chirp.example:8080") == "http://chirp.example:8080"
    assert origin_of("null") is None
    assert origin_of("http://chirp.example:notaport") is None


def test_the_public_url_origin_is_accepted_though_the_request_host_differs(
    tmp_path: Path,
) -> None:
    container = build_container(
        Settings(
            data_dir=tmp_path,
            ratelimit_enabled=False,
            scrypt_n=TEST_SCRYPT_N,
            public_url="https://chirp.example/",
        )
    )
    container.worker_roles()  # close_container settles the jobs the tweet records
    try:
        api = Chirp(create_app(container), container)
        alice = api.signup("alice_01")
        ok = cookie_post(
            api,
            "/api/tweets/",
            alice,
            json={"content": "hello there"},
            headers={"Origin": "https://chirp.example"},
        )
        assert ok.status_code == 201, ok.json
    finally:
        close_container(container)
