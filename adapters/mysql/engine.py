"""Engines for SQLite (embedded) and MySQL/MariaDB (PyMySQL), and schema creation."""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from pymysql.constants import FIELD_TYPE
from pymysql.converters import conversions
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.pool import StaticPool

from adapters.mysql.base import guarded
from adapters.mysql.sqlite_writers import green, take_turns
from adapters.mysql.tables import metadata

# The read lane's hot reads get DATETIME columns as text, which `rows.utc` parses in C
# (datetime.fromisoformat), as it does SQLite's; PyMySQL's own parse, a regular expression
# per value, was a fifth of a 100-comment page.
_TIMES_AS_TEXT = {
    field: convert
    for field, convert in conversions.items()
    if field not in (FIELD_TYPE.DATETIME, FIELD_TYPE.TIMESTAMP)
}
# Weak keys: a MySQL engine's read engine goes when the engine does.
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_SQLITE_PRAGMAS = (
    "journal_mode=WAL",  # readers do not block the writer (the embedded server is threaded)
    "busy_timeout=5000",  # a writer waits up to 5 s for another instead of failing at once
    "foreign_keys=OFF",  # as on MySQL: the schema declares no foreign keys on either dialect
    "synchronous=NORMAL",  # safe with WAL, and far fewer fsyncs
)


def make_engine(url: str | URL) -> Engine:
    """An engine for `sqlite:///path` or `mysql+pymysql://user:pw@host/db`, tuned for each."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return _sqlite_engine(parsed)
    if backend in ("mysql", "mariadb"):
        return _mysql_engine(parsed)
    raise ValueError(f"unsupported database url: {parsed.render_as_string(hide_password=True)}")


def _sqlite_engine(url: URL) -> Engine:
    options: dict[str, Any] = {"connect_args": {"check_same_thread": False, "timeout": 5}}
    if not url.database or url.database == ":memory:":
        options["poolclass"] = StaticPool  # one shared connection, or each sees its own db
    else:
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, **options)
    sa.event.listen(engine, "connect", _set_pragmas)
    if green() and "poolclass" not in options:
        take_turns(engine)
    return engine


def _set_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _SQLITE_PRAGMAS:
            cursor.execute(f"PRAGMA {pragma}")
    finally:
        cursor.close()


def _mysql_engine(url: URL) -> Engine:
    connect_args: dict[str, Any] = {"charset": "utf8mb4", "connect_timeout": 5}
    if not any(key.startswith("ssl") for key in url.query):
        # PyMySQL otherwise tries TLS opportunistically, building a TLS context (about 19 ms
        # of CPU) for every new connection, unverified and so no protection against an
        # active attacker. TLS is asked for in the URL (`?ssl_ca=...`), and then verified.
        connect_args["ssl_disabled"] = True
    engine = sa.create_engine(
        url,
        pool_pre_ping=True,  # a connection the server dropped is replaced, not handed out
        pool_recycle=3600,  # below the server's wait_timeout
        # READ COMMITTED avoids gap locks between concurrent inserts of likes and feed rows.
        isolation_level="READ COMMITTED",
        connect_args=connect_args,
    )
    reads = sa.create_engine(
        url,
        # Plain SELECTs only (SqlSession's read lane): nothing to roll back, nothing to
        # ping; a dead connection is found by the read itself, which runs once more.
        isolation_level="AUTOCOMMIT",
        pool_reset_on_return=None,
        pool_recycle=3600,
        connect_args={**connect_args, "conv": _TIMES_AS_TEXT},
    )
    _READERS[engine] = reads
    sa.event.listen(engine, "engine_disposed", lambda _engine: reads.dispose())
    return engine


def reader_of(engine: Engine) -> Engine | None:
    """The AUTOCOMMIT engine that runs `engine`'s hot reads outside a transaction (see
    SqlSession): made with every MySQL engine of `make_engine`, disposed with it; None for
    SQLite, whose reads stay on the transaction's connection."""
    return _READERS.get(engine)


def create_schema(engine: Engine) -> None:
    """Create every table that is missing (embedded profile and tests)."""
    with guarded():
        metadata.create_all(engine)


def upgrade(target: str | URL | Engine) -> None:
    """Run `alembic upgrade head` against a database, with a config built in code."""
    engine = target if isinstance(target, Engine) else make_engine(target)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    try:
        with guarded(), engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if engine is not target:
            engine.dispose()


def engine_resource(url: str, *, migrate: bool = False) -> Iterator[Engine]:
    """An engine for the lifetime of a container (disposed at shutdown); `migrate` brings
    the schema to the newest revision first (the embedded SQLite file)."""
    engine = make_engine(url)
    try:
        if migrate:
            upgrade(engine)  # migrations, not create_all: later revisions reach old files too
        yield engine
    finally:
        engine.dispose()


def migrate_schema(engine: Engine) -> str:
    """Apply every pending migration; what was done, in words."""
    upgrade(engine)
    where = engine.url.render_as_string(hide_password=True)
    return f"{engine.dialect.name} schema ready at {where} (newest migration applied)"
