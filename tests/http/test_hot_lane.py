"""The hot lane answers the feed page, a tweet and a profile exactly as Flask does, and hands
everything else to Flask: each request is sent to an app with the lane and to one without."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers
from flask import Flask

from adapters.memory.clock import FakeClock
from container import Container
from core.domain.ids import MAX_ID
from core.services.ratelimit import RateLimiter
from entrypoints.http.app import create_app
from entrypoints.http.hotlane import HotLane
from tests.http.helpers import Account, Chirp, close_container, make_container

Headers = dict[str, str]


class Lanes:
    """Two apps on one container, with and without the lane; counts the lane's handovers."""

    def __init__(self, container: Container) -> None:
        self.hot = create_app(container)
        self.plain = create_app(container, hot_lane=False)
        self.api = Chirp(self.plain, container)
        lane = self.hot.wsgi_app
        assert isinstance(lane, HotLane)
        self.handed_over = 0
        passed_on: Callable[..., Any] = lane._next

        def counted(environ: dict[str, Any], start_response: Any) -> Any:
            self.handed_over += 1
            return passed_on(environ, start_response)

        lane._next = counted

    def both(self, path: str, headers: Headers | None = None, cookie: str = "") -> tuple[Any, Any]:
        """(the lane app's answer, Flask's): status, headers but the request id, JSON."""
        return answer(self.hot, path, headers, cookie), answer(self.plain, path, headers, cookie)


def answer(app: Flask, path: str, headers: Headers | None, cookie: str) -> tuple[int, Headers, Any]:
    client = app.test_client()
    if cookie:
        client.set_cookie("chirp_session", cookie)
    response = client.get(path, headers=headers or {})
    kept = {k: v for k, v in response.headers.items() if k != "X-Request-Id"}
    assert response.headers["X-Request-Id"]
    return response.status_code, kept, response.get_json()


@pytest.fixture
def lanes(tmp_path: Path, profile: str) -> Iterator[Lanes]:
    container = make_container(tmp_path, profile)
    yield Lanes(container)
    close_container(container)


@pytest.fixture
def limited_lanes(tmp_path: Path) -> Iterator[Lanes]:
    """Lanes counting against a stopped clock, mid-second and mid-minute: every request of
    a test falls in one window of each rule."""
    container = make_container(tmp_path, "embedded", ratelimit=True)
    clock = FakeClock(datetime(2026, 3, 1, 12, 0, 20, 500_000, tzinfo=UTC))
    limiter = providers.Singleton(RateLimiter, container.rate_limit_store, clock, enabled=True)
    container.rate_limiter.override(limiter)
    yield Lanes(container)
    close_container(container)


def a_feed(lanes: Lanes) -> tuple[Account, Account, str]:
    """(reader, author, one of the author's tweet ids): the reader follows the author, who
    has tweeted, commented and been liked, so every part of a body has something in it."""
    reader, author = lanes.api.signup(), lanes.api.signup()
    lanes.api.follow(reader, author)
    tweets = [lanes.api.tweet(author, f"tweet {i}")["id"] for i in range(5)]
    lanes.api.comment(reader, tweets[0])
    lanes.api.like(reader, "tweet", tweets[0])
    lanes.api.settle()
    return reader, author, tweets[0]


def test_the_lane_answers_feed_pages_as_flask_does(lanes: Lanes) -> None:
    reader, _, _ = a_feed(lanes)
    first = lanes.both("/api/newsfeeds/?limit=2", reader.auth)
    assert first[0] == first[1]
    assert first[0][0] == 200 and "Link" in first[0][1]
    cursor = first[0][2]["next_cursor"]
    for path in ["/api/newsfeeds/", "/api/newsfeeds", f"/api/newsfeeds/?cursor={cursor}",
                 f"/api/newsfeeds/?limit=2&since={cursor}", "/api/newsfeeds/?limit=1",
                 "/api/newsfeeds/?since="]:  # fmt: skip
        hot, plain = lanes.both(path, reader.auth)
        assert hot == plain, path
    hot, plain = lanes.both("/api/newsfeeds/?limit=3", cookie=reader.token)
    assert hot == plain and hot[0] == 200
    assert lanes.handed_over == 0


def test_the_lane_answers_tweets_and_profiles_as_flask_does_for_anyone(lanes: Lanes) -> None:
    reader, author, tweet_id = a_feed(lanes)
    stale = {"Authorization": "Bearer not-a-token"}
    for who in [reader.auth, author.auth, {}, stale]:
        for path in [f"/api/tweets/{tweet_id}/", f"/api/tweets/{tweet_id}",
                     f"/api/profiles/{author.id}/", f"/api/tweets/{tweet_id}/?x=1"]:  # fmt: skip
            hot, plain = lanes.both(path, who)
            assert hot == plain, (path, who)
            assert hot[0] == 200
    liked = lanes.both(f"/api/tweets/{tweet_id}/", reader.auth)[0][2]
    assert liked["has_liked"] is True and liked["comments"]
    assert lanes.handed_over == 0


@pytest.mark.parametrize(
    "path",
    ["/api/newsfeeds/?limit=0", "/api/newsfeeds/?limit=2&limit=3", "/api/newsfeeds/?x=1",
     "/api/newsfeeds/?cursor=garbage", f"/api/tweets/{MAX_ID + 1}/",
     "/api/tweets/0123/", "/api/tweets/99999/", "/api/profiles/99999/"],
)  # fmt: skip
def test_what_the_lane_cannot_answer_flask_answers_alike(lanes: Lanes, path: str) -> None:
    reader, _, _ = a_feed(lanes)
    hot, plain = lanes.both(path, reader.auth)
    assert hot == plain
    assert lanes.handed_over == 1


def test_a_feed_without_a_known_caller_is_flasks_401(lanes: Lanes) -> None:
    for who, cookie in [({}, ""), ({"Authorization": "Bearer not-a-token"}, ""), ({}, "x")]:
        hot, plain = lanes.both("/api/newsfeeds/", who, cookie)
        assert hot == plain and hot[0] == 401
    assert lanes.handed_over == 3


def test_a_request_the_lane_answers_is_counted_once_and_refused_as_flask_refuses(
    limited_lanes: Lanes,
) -> None:
    lanes = limited_lanes
    reader = lanes.api.signup()
    remaining = []
    statuses = []
    for _ in range(40):  # past the newsfeed action's per-second and per-minute limits
        response = lanes.hot.test_client().get("/api/newsfeeds/", headers=reader.auth)
        statuses.append(response.status_code)
        if response.status_code == 200:
            remaining.append(int(response.headers["X-RateLimit-Remaining"]))
        else:
            refused = response
    assert remaining == list(range(remaining[0], remaining[0] - len(remaining), -1))
    assert 429 in statuses
    assert refused.headers["Retry-After"] and refused.get_json()["code"] == 429


def test_a_request_the_lane_answers_is_logged_and_measured_under_its_route(
    lanes: Lanes, caplog: pytest.LogCaptureFixture
) -> None:
    reader, _, _ = a_feed(lanes)
    with caplog.at_level(logging.INFO, logger="chirp.access"):
        caplog.clear()  # the set-up's requests
        lanes.both("/api/newsfeeds/?limit=2", reader.auth)
    lines = [r for r in caplog.records if r.name == "chirp.access"]
    assert [(r.path, r.status) for r in lines] == [("/api/newsfeeds/", 200)] * 2  # type: ignore[attr-defined]
    scraped = lanes.hot.test_client().get("/metrics").get_data(as_text=True)
    assert 'route="/api/newsfeeds/"' in scraped


def test_a_request_the_lane_counted_and_handed_over_is_not_counted_again(
    limited_lanes: Lanes,
) -> None:
    lanes = limited_lanes
    reader = lanes.api.signup()
    remaining = []
    for path in ["/api/profiles/99999/", f"/api/profiles/{reader.id}/"] * 3:  # 404s, 200s
        response = lanes.hot.test_client().get(path, headers=reader.auth)
        remaining.append(int(response.headers["X-RateLimit-Remaining"]))
    assert remaining == list(range(remaining[0], remaining[0] - 6, -1))
    assert lanes.handed_over == 3
