"""Fixtures of the HTTP tests: a fresh container and app per test, on a temp data dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from container import Container
from entrypoints.http.app import create_app
from tests.http.helpers import PROFILES, Account, Chirp, close_container, make_container


@pytest.fixture(
    params=[p if p != "full" else pytest.param(p, marks=pytest.mark.integration) for p in PROFILES]
)
def profile(request: pytest.FixtureRequest) -> str:
    """The profile the test's app runs on: every HTTP test runs on each of PROFILES."""
    return str(request.param)


@pytest.fixture
def container(tmp_path: Path, profile: str) -> Iterator[Container]:
    container = make_container(tmp_path, profile)
    yield container
    close_container(container)


@pytest.fixture
def app(container: Container) -> Flask:
    app = create_app(container)
    app.config["TESTING"] = True
    return app


@pytest.fixture
def api(app: Flask, container: Container) -> Chirp:
    return Chirp(app, container)


@pytest.fixture
def alice(api: Chirp) -> Account:
    return api.signup("alice_01")


@pytest.fixture
def bob(api: Chirp) -> Account:
    return api.signup("bob_0001")
