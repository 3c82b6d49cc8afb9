"""Builders of SQL units of work for the contract suites: a fresh SQLite file, or MariaDB."""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from adapters.mysql.engine import create_schema, make_engine, upgrade
from adapters.mysql.tables import metadata
from adapters.mysql.unit_of_work import SqlUnitOfWork
from core.domain.errors import Unavailable
from core.ports.unit_of_work import UnitOfWork

DATABASE = "chirp_test_contract"
_mysql: Engine | None = None
_last_sqlite: Engine | None = None


def make_sqlite_uow(tmp_path: Path) -> UnitOfWork:
    """A unit of work on a new SQLite file with the whole schema and no rows."""
    global _last_sqlite
    if _last_sqlite is not None:
        _last_sqlite.dispose()  # the previous test's file is done with; free its handles
    _last_sqlite = make_engine(f"sqlite:///{tmp_path / 'chirp.db'}")
    create_schema(_last_sqlite)
    return SqlUnitOfWork(_last_sqlite)


def make_mysql_uow() -> UnitOfWork:
    """A unit of work on MariaDB's contract database, migrated to head and emptied."""
    engine = _mysql_engine()
    with engine.begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(sa.delete(table))
    return SqlUnitOfWork(engine)


_migrated: dict[str, Engine] = {}


def fresh_mysql_url(name: str) -> str:
    """The URL of a MariaDB database `name`, created and migrated once per session and
    emptied now (for suites that build whole containers, like the HTTP tests on `full`)."""
    if name not in _migrated:
        _create_database(name)
        engine = make_engine(_server_url(name))
        upgrade(engine)
        _migrated[name] = engine
    with _migrated[name].begin() as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(sa.delete(table))
    return _server_url(name).render_as_string(hide_password=False)


def _server_url(database: str | None = None) -> URL:
    return URL.create(
        "mysql+pymysql",
        username=os.environ.get("CHIRP_MYSQL_USER", "chirp"),
        password=os.environ.get("CHIRP_MYSQL_PASSWORD", "chirp"),
        host=os.environ.get("CHIRP_MYSQL_HOST", "127.0.0.1"),
        port=int(os.environ.get("CHIRP_MYSQL_PORT", "3306")),
        database=database,
    )


def _database_name() -> str:
    # Parallel workers (pytest-xdist) each get their own database, as each empties it per test.
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return f"{DATABASE}_{worker}" if worker else DATABASE


def _mysql_engine() -> Engine:
    """The session's engine, built once: database created if missing, migrations run."""
    global _mysql
    if _mysql is None:
        name = _database_name()
        _create_database(name)
        engine = make_engine(_server_url(name))
        upgrade(engine)
        _mysql = engine
    return _mysql


def _create_database(name: str) -> None:
    server = make_engine(_server_url())
    try:
        with server.begin() as connection:
            connection.execute(
                sa.text(
                    f"CREATE DATABASE IF NOT EXISTS `{name}` "
                    "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
                )
            )
    except (sa.exc.OperationalError, Unavailable) as exc:
        url = _server_url()
        raise RuntimeError(
            f"MariaDB at {url.host}:{url.port} is unreachable as user {url.username!r} "
            f"({exc.__class__.__name__}: {exc}); start it with `scripts/services up` or set "
            "CHIRP_MYSQL_HOST/PORT/USER/PASSWORD"
        ) from exc
    finally:
        server.dispose()
