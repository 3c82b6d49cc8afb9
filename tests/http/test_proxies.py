"""Behind a proxy: X-Forwarded-* headers count only from as many proxies as are trusted."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from dependency_injector import providers
from flask.testing import FlaskClient

from adapters.memory.clock import FakeClock
from container import Container, build_container
from core.services.ratelimit import RateLimiter
from entrypoints.http.app import create_app
from settings import Settings
from tests.http.helpers import PASSWORD, close_container

LOGIN_STATUS = "/api/accounts/login_status/"  # limited per IP: 3 a second ("auth")
AUTH_LIMIT = 3
Client = Callable[..., FlaskClient]


@pytest.fixture
def client(tmp_path: Path) -> Iterator[Client]:
    """Makes a test client of an embedded app with the given settings, its rate limits on
    a fake clock that stands still (every request falls in one window)."""
    made: list[Container] = []

    def make(**settings: object) -> FlaskClient:
        data_dir = tmp_path / str(len(made))
        container = build_container(Settings(data_dir=data_dir, **settings))
        limiter = providers.Singleton(
            RateLimiter, container.rate_limit_store, FakeClock(), enabled=True
        )
        container.rate_limiter.override(limiter)
        made.append(container)
        return create_app(container).test_client(use_cookies=False)

    yield make
    for container in made:
        close_container(container)


def status_after_the_limit(client: FlaskClient, spent_by: str, then_from: str) -> int:
    """Spend the auth limit as the client forwarded for `spent_by`, then ask once more as
    forwarded for `then_from`; the status of that last request."""
    for _ in range(AUTH_LIMIT):
        response = client.get(LOGIN_STATUS, headers={"X-Forwarded-For": spent_by})
        assert response.status_code == 200
    return client.get(LOGIN_STATUS, headers={"X-Forwarded-For": then_from}).status_code


def session_cookie(client: FlaskClient, **headers: str) -> str:
    body = {"username": "alice_01", "email": "alice@example.com", "password": PASSWORD}
    response = client.post("/api/accounts/signup/", json=body, headers=headers)
    assert response.status_code == 201, response.json
    (cookie,) = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("chirp_")]
    return cookie


def is_secure(cookie: str) -> bool:
    return "secure" in [part.strip().lower() for part in cookie.split(";")]


def test_without_trusted_proxies_a_forwarded_for_header_does_not_change_who_is_counted(
    client: Client,
) -> None:
    assert status_after_the_limit(client(), "10.0.0.1", then_from="10.0.0.2") == 429


def test_behind_one_trusted_proxy_the_forwarded_client_is_counted(client: Client) -> None:
    assert status_after_the_limit(client(trusted_proxies=1), "10.0.0.1", "10.0.0.2") == 200
    assert status_after_the_limit(client(trusted_proxies=1), "10.0.0.1", "10.0.0.1") == 429


def test_behind_one_trusted_proxy_only_the_address_it_appended_counts(client: Client) -> None:
    trusting = client(trusted_proxies=1)
    # A client may send its own X-Forwarded-For; the proxy appends the address it saw.
    for forged in ("1.1.1.1", "2.2.2.2", "3.3.3.3"):
        headers = {"X-Forwarded-For": f"{forged}, 10.0.0.1"}
        assert trusting.get(LOGIN_STATUS, headers=headers).status_code == 200
    headers = {"X-Forwarded-For": "4.4.4.4, 10.0.0.1"}
    assert trusting.get(LOGIN_STATUS, headers=headers).status_code == 429


def test_forwarded_https_makes_the_session_cookie_secure_only_from_a_trusted_proxy(
    client: Client,
) -> None:
    https = {"X-Forwarded-Proto": "https"}
    assert is_secure(session_cookie(client(trusted_proxies=1), **https))
    assert not is_secure(session_cookie(client(), **https))
    assert not is_secure(session_cookie(client(trusted_proxies=1)))


def test_cookie_secure_makes_the_session_cookie_secure_over_plain_http(client: Client) -> None:
    assert is_secure(session_cookie(client(cookie_secure=True)))


def test_logging_out_clears_the_cookie_with_the_secure_flag_it_was_set_with(
    client: Client,
) -> None:
    response = client(cookie_secure=True).post("/api/accounts/logout/")
    (cleared,) = response.headers.getlist("Set-Cookie")
    assert is_secure(cleared)


def test_a_negative_number_of_trusted_proxies_is_refused() -> None:
    with pytest.raises(ValueError, match="CHIRP_TRUSTED_PROXIES"):
        Settings.from_env({"CHIRP_TRUSTED_PROXIES": "-1"})
