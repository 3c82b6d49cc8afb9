"""Rate limits over HTTP: headers on every limited response, 429 with Retry-After."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.memory.clock import FakeClock
from container import Container
from core.services.ratelimit import RateLimiter
from entrypoints.http.app import create_app
from tests.http.helpers import (
    Chirp,
    assert_error,
    close_container,
    concrete,
    make_container,
    operations,
)

# Mid-second and mid-minute, so a test's requests share one window of each rule.
START = datetime(2026, 3, 1, 12, 0, 20, 500_000, tzinfo=UTC)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
def container(tmp_path: Path, clock: FakeClock, profile: str) -> Iterator[Container]:
    container = make_container(tmp_path, profile, ratelimit=True)
    limiter = providers.Singleton(RateLimiter, container.rate_limit_store, clock, enabled=True)
    container.rate_limiter.override(limiter)
    yield container
    close_container(container)


@pytest.fixture
def api(container: Container) -> Chirp:
    return Chirp(create_app(container), container)


def limits(response) -> tuple[str, str, str]:
    headers = response.headers
    return (
        headers["X-RateLimit-Limit"],
        headers["X-RateLimit-Remaining"],
        headers["X-RateLimit-Reset"],
    )


def test_a_successful_limited_request_carries_the_rate_limit_headers(api: Chirp) -> None:
    response = api.get("/api/accounts/login_status/")
    assert response.status_code == 200
    assert limits(response) == ("3", "2", "1")


def test_the_fourth_auth_request_in_a_second_is_a_429_with_retry_after(api: Chirp) -> None:
    for _ in range(3):
        assert api.get("/api/accounts/login_status/").status_code == 200
    response = api.get("/api/accounts/login_status/")
    assert_error(response, 429)
    assert response.headers["Retry-After"] == "1"
    assert limits(response) == ("3", "0", "1")


def test_the_window_resets_when_time_moves_on(api: Chirp, clock: FakeClock) -> None:
    for _ in range(4):
        api.get("/api/accounts/login_status/")
    clock.advance(1)
    assert api.get("/api/accounts/login_status/").status_code == 200


def test_tweets_are_limited_per_second_and_per_minute(api: Chirp, clock: FakeClock) -> None:
    alice = api.signup("alice_01")
    clock.advance(1)
    assert api.post("/api/tweets/", alice, json={"content": "tweet one"}).status_code == 201
    assert_error(api.post("/api/tweets/", alice, json={"content": "tweet two"}), 429)
    for second in range(3):  # the refused request above counted in this minute too
        clock.advance(1)
        api.tweet(alice, f"tweet at {second}")
    clock.advance(1)
    response = api.post("/api/tweets/", alice, json={"content": "one too many"})
    assert_error(response, 429)
    assert response.headers["X-RateLimit-Limit"] == "5"
    assert response.headers["Retry-After"] == "35"  # 12:00:25.5 -> 12:01:00


def test_error_responses_of_limited_routes_carry_the_headers_too(api: Chirp) -> None:
    response = api.get("/api/tweets/123456/")
    assert_error(response, 404)
    assert limits(response) == ("10", "9", "1")


def test_limits_count_per_user_not_per_ip(api: Chirp, clock: FakeClock) -> None:
    alice, bob = api.signup("alice_01"), api.signup("bob_0001")
    for _ in range(5):
        assert api.get("/api/newsfeeds/", alice).status_code == 200
    assert_error(api.get("/api/newsfeeds/", alice), 429)
    assert api.get("/api/newsfeeds/", bob).status_code == 200


def test_unlimited_routes_carry_no_rate_limit_headers(api: Chirp) -> None:
    assert "X-RateLimit-Limit" not in api.get("/healthz").headers
    assert "X-RateLimit-Limit" not in api.get("/api/openapi.json").headers


def test_exactly_the_operations_documenting_429_are_counted(api: Chirp) -> None:
    spec = api.get("/api/openapi.json").json
    for (method, path), operation in operations(spec).items():
        response = api.call(method.upper(), concrete(path))
        counted = "X-RateLimit-Limit" in response.headers
        assert counted == ("429" in operation["responses"]), (method, path)


def test_a_head_request_counts_like_the_get_it_mirrors(api: Chirp) -> None:
    api.call("HEAD", "/api/accounts/login_status/")
    assert limits(api.get("/api/accounts/login_status/")) == ("3", "1", "1")


def test_a_disabled_limiter_sends_no_headers(tmp_path: Path, profile: str) -> None:
    container = make_container(tmp_path / "off", profile)
    response = create_app(container).test_client().get("/api/accounts/login_status/")
    assert response.status_code == 200 and "X-RateLimit-Limit" not in response.headers
    close_container(container)


@pytest.mark.parametrize(
    ("method", "path", "per_second"),
    [
        ("PATCH", "/api/tweets/123456/", 5),
        ("DELETE", "/api/tweets/123456/", 5),
        ("PUT", "/api/comments/123456/", 5),
        ("PATCH", "/api/comments/123456/", 5),
        ("DELETE", "/api/comments/123456/", 5),
        ("PUT", "/api/profiles/123456/", 1),
        ("PATCH", "/api/profiles/123456/", 1),
        ("POST", "/api/notifications/mark-all-as-read/", 10),
        ("PUT", "/api/notifications/123456/", 10),
        ("PATCH", "/api/notifications/123456/", 10),
    ],
)
def test_every_write_route_answers_429_past_its_limit(
    api: Chirp, clock: FakeClock, method: str, path: str, per_second: int
) -> None:
    alice = api.signup("alice_01")
    for _ in range(per_second):
        response = api.call(method, path, alice, json={})
        assert response.status_code != 429
        assert response.headers["X-RateLimit-Limit"] == str(per_second)
    response = api.call(method, path, alice, json={})
    assert_error(response, 429)
    assert response.headers["Retry-After"] == "1"


def test_edits_are_limited_per_minute_too(api: Chirp, clock: FakeClock) -> None:
    alice = api.signup("alice_01")
    for _ in range(12):
        for _ in range(5):
            assert api.call("DELETE", "/api/tweets/123456/", alice).status_code == 404
        clock.advance(1)
    response = api.call("DELETE", "/api/tweets/123456/", alice)
    assert_error(response, 429)
    assert response.headers["X-RateLimit-Limit"] == "60"


def test_tweet_and_comment_edits_share_one_budget(api: Chirp) -> None:
    alice = api.signup("alice_01")
    for _ in range(5):
        api.call("DELETE", "/api/comments/123456/", alice)
    assert_error(api.call("PATCH", "/api/tweets/123456/", alice, json={}), 429)
