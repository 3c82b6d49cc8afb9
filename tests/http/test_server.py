"""What the gunicorn master does before it forks workers: prepare once, open nothing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from container import Container, build_container
from entrypoints.http.app import create_app
from entrypoints.http.server import ensure_nothing_open, prepare
from settings import Settings


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    container = build_container(Settings(profile="embedded", data_dir=tmp_path))
    yield container
    container.shutdown_resources()


def test_the_master_migrates_a_fresh_data_folder_and_leaves_nothing_open(
    container: Container, tmp_path: Path
) -> None:
    create_app(container)
    prepare(container)
    ensure_nothing_open(container)  # a fork now shares no connection or thread
    with sqlite3.connect(tmp_path / "chirp.sqlite3") as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert {"users", "tweets", "jobs"} <= tables
    assert (tmp_path / "secret_key").exists()  # made once, not by racing workers


def test_a_fork_is_refused_while_an_engine_is_open(container: Container) -> None:
    container.engine()
    with pytest.raises(RuntimeError, match="before the workers were forked"):
        ensure_nothing_open(container)


def test_a_fork_is_refused_while_the_background_roles_run(container: Container) -> None:
    container.server_roles()
    with pytest.raises(RuntimeError, match="before the workers were forked"):
        ensure_nothing_open(container)
