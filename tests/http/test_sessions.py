"""The per-process cache of authenticated tokens: logout stops a token at once, others within
its few seconds."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask

from core.domain.users import User
from entrypoints.http import auth
from entrypoints.http.sessions import SessionCache
from tests.http.helpers import Account, Chirp, assert_error


class Ticks:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def a_user() -> User:
    return User(
        id=5,
        username="alice_01",
        email="a@example.com",
        password_hash="x",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def cache_on(app: Flask, ticks: Ticks) -> None:
    app.extensions[auth.SESSIONS] = SessionCache(ttl=5, clock=ticks)


def test_a_token_is_read_from_the_store_once_within_the_ttl() -> None:
    ticks, loads = Ticks(), []
    cache = SessionCache(ttl=5, clock=ticks)

    def load() -> User:
        loads.append(1)
        return a_user()

    cache.user("h", load)
    ticks.now += 4.9
    cache.user("h", load)
    assert len(loads) == 1
    ticks.now += 0.2
    cache.user("h", load)
    assert len(loads) == 2


def test_a_fill_whose_read_began_before_a_logout_is_not_kept() -> None:
    """The bad interleaving: a request reads the store (token alive), the logout removes
    the token and forgets it here, then the request fills: the token must not live on."""
    cache, loads = SessionCache(ttl=5, clock=Ticks()), []

    def read_then_logout_lands() -> User:
        loads.append(1)
        if len(loads) == 1:
            cache.forget("h")
        return a_user()

    assert cache.user("h", read_then_logout_lands).id == 5  # its own request still answered
    cache.user("h", read_then_logout_lands)
    assert len(loads) == 2


def test_logout_stops_a_cached_token_at_once_on_its_process(api: Chirp, alice: Account) -> None:
    cache_on(api.app, Ticks())
    assert api.get("/api/newsfeeds/", alice).status_code == 200  # now cached
    assert api.post("/api/accounts/logout/", alice).status_code == 200
    assert_error(api.get("/api/newsfeeds/", alice), 401)


def test_a_deactivation_elsewhere_stops_a_cached_token_within_the_ttl(
    api: Chirp, alice: Account
) -> None:
    ticks = Ticks()
    cache_on(api.app, ticks)
    assert api.get("/api/newsfeeds/", alice).status_code == 200
    api.container.accounts().deactivate(alice.username)  # as `chirp users deactivate` does
    ticks.now += 5.01
    assert_error(api.get("/api/newsfeeds/", alice), 401)
