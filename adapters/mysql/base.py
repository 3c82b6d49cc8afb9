"""What every SQL repository shares: driver-error translation, windows, insert-if-absent, hot
reads on the DB-API cursor and the connections of a unit of work."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, CursorResult, Engine, Row

from core.domain.errors import Unavailable
from core.domain.paging import Window

# Errors that mean "the database cannot serve us", as opposed to a bug or a constraint.
DOWN_ERRORS = (
    sa_exc.OperationalError,
    sa_exc.InterfaceError,
    sa_exc.DisconnectionError,
    sa_exc.TimeoutError,
)


@contextmanager
def guarded() -> Iterator[None]:
    """Re-raise driver and connection failures as the domain's Unavailable."""
    try:
        yield
    except DOWN_ERRORS as exc:
        raise Unavailable("database unavailable") from exc


def insert_ignore(table: sa.Table) -> sa.Insert:
    """An INSERT that silently skips rows whose key exists; rowcount says how many went in."""
    return (
        sa.insert(table)
        .prefix_with("OR IGNORE", dialect="sqlite")
        .prefix_with("IGNORE", dialect="mysql")
        .prefix_with("IGNORE", dialect="mariadb")
    )


def windowed(stmt: sa.Select[Any], column: sa.ColumnElement[int], window: Window) -> sa.Select[Any]:
    """Restrict a select to ids strictly inside the window, in its order, at most fetch."""
    if window.lower is not None:
        stmt = stmt.where(column > window.lower)
    if window.upper is not None:
        stmt = stmt.where(column < window.upper)
    order = column.desc() if window.newest_first else column.asc()
    return stmt.order_by(order).limit(window.fetch)


def clamped_add(column: sa.Column[int], delta: int) -> sa.ColumnElement[int]:
    """`column + delta`, but never below zero, computed by the database (atomic)."""
    total = column + delta
    return sa.case((total < 0, 0), else_=total)


class HotSelect:
    """A SELECT run on a DB-API cursor (SqlSession.hot says whose), for the few reads every
    page makes (tweets, users and profiles by id, likes, a tweet's comments). SQLAlchemy
    spent 0.05-0.2 ms a statement keying, compiling and processing rows (SQLite: parsing
    times with a regular expression); the cursor takes about 0.01 ms.

    Rule: `sql` is plain SQL read the same by SQLite and MySQL (backticks quote names, `?`
    marks a parameter, `{ids}` an id list); its columns come back as `fields`, in that
    order, and time columns are raw (`rows.utc` reads them). The contract suites run every
    such read on both dialects. A HotSelect only reads (no FOR UPDATE, no write): it may
    run outside the unit of work's transaction, on the read lane.
    """

    def __init__(self, sql: str, fields: Sequence[str]) -> None:
        self.sql = sql
        self.row: Any = namedtuple("HotRow", fields)  # type: ignore[misc]

    def render(self, qmark: bool, id_count: int) -> str:
        return _render(self.sql, qmark, id_count)


class WindowedSelect:
    """A HotSelect of rows whose `column` lies strictly inside a Window, in the window's
    order, at most `fetch` of them, as `windowed` restricts a SQLAlchemy select: `sql` ends
    in its WHERE condition, and each shape of window (bounds given or not, direction) has
    its own statement."""

    def __init__(self, sql: str, fields: Sequence[str], column: str) -> None:
        self._shapes = {
            (lower, upper, newest): HotSelect(
                f"{sql}{f' AND {column} > ?' * lower}{f' AND {column} < ?' * upper}"
                f" ORDER BY {column} {'DESC' if newest else 'ASC'} LIMIT ?",
                fields,
            )
            for lower in (False, True)
            for upper in (False, True)
            for newest in (False, True)
        }

    def shaped(self, window: Window) -> tuple[HotSelect, list[int]]:
        """The statement for `window`, and the parameters its bounds and limit add."""
        bounds = [b for b in (window.lower, window.upper) if b is not None]
        shape = (window.lower is not None, window.upper is not None, window.newest_first)
        return self._shapes[shape], [*bounds, window.fetch]


@lru_cache(maxsize=512)
def _render(sql: str, qmark: bool, id_count: int) -> str:
    text = sql.replace("{ids}", ", ".join(["?"] * id_count))
    return text if qmark else text.replace("?", "%s")


class SqlSession:
    """The connections of one unit of work, each checked out only when first needed.

    - The transaction: a connection of `engine` (its pool pings it first), begun at the
      first statement that is not a hot read; from then on every statement, hot reads too,
      runs in it, so a unit of work reads its own writes. `close` rolls back what was not
      committed. Writes, locking reads and everything after them keep the transaction they
      had; only hot reads made before it leave it, which reads the same (next rule).
    - The read lane (`reads`: an AUTOCOMMIT engine, MySQL only): a hot read (HotSelect, a
      plain SELECT) made before the transaction began runs on a connection of `reads`
      checked out for that one statement, with no ping before it and no ROLLBACK after it:
      one round trip instead of three. Under READ COMMITTED a SELECT sees what was committed
      when it began, autocommitted or inside a transaction, so a reader sees no difference;
      a plain SELECT takes no row locks, and autocommit holds none past the statement.
    - A read connection is held for one statement only, so a thread holding one never waits
      for another connection: the two pools cannot deadlock each other.
    - A dead read connection (server restarted, KILL, wait_timeout): the read lane has no
      pre-ping, so a read that finds its connection dropped drops every connection pooled
      in `reads` (older ones are as likely dead) and runs once more on a fresh connection;
      reads are idempotent. When that fails too (the server is gone), Unavailable. A
      connection another thread has out when the pool is dropped is left alone: its read
      finishes (or finds it dead and retries in turn), and it is closed with the old pool.
    """

    def __init__(
        self, engine: Engine | None, reads: Engine | None = None, *, conn: Connection | None = None
    ) -> None:
        self._engine, self._reads, self._conn = engine, reads, conn

    @classmethod
    def on(cls, conn: Connection) -> SqlSession:
        """Everything on `conn`, whose transaction stays its holder's to end."""
        return cls(None, conn=conn)

    @property
    def connection(self) -> Connection:
        """The transaction's connection, checked out and begun on first use."""
        if self._conn is None:
            if self._engine is None:
                raise RuntimeError("this session is closed")
            with guarded():
                conn = self._engine.connect()
                try:
                    conn.begin()
                except BaseException:
                    conn.close()
                    raise
            self._conn = conn
        return self._conn

    def hot(self, query: HotSelect, params: Sequence[Any], id_count: int = 0) -> list[Any]:
        """The rows of `query`: on the read lane until the transaction began, then in it."""
        if self._conn is None and self._reads is not None:
            try:
                return _read_once(self._reads, query, params, id_count, retry=True)
            except _DeadConnection:
                self._reads.dispose()  # the pooled connections predate the failure
                return _read_once(self._reads, query, params, id_count, retry=False)
        conn = self.connection
        with guarded():
            raw = conn.connection
        try:
            return _fetch(raw, conn.dialect, query, params, id_count)
        except (
            conn.dialect.loaded_dbapi.OperationalError,
            conn.dialect.loaded_dbapi.InterfaceError,
        ) as exc:
            raise Unavailable("database unavailable") from exc

    def commit(self) -> None:
        """Commit the transaction, if one began; later statements begin another."""
        if self._conn is not None:
            with guarded():
                self._conn.commit()

    def close(self) -> None:
        """Roll back what was not committed and return the connection (not one held by the
        caller of `on`)."""
        conn, self._conn = self._conn, None
        owned, self._engine, self._reads = self._engine is not None, None, None
        if conn is None or not owned:
            return
        try:
            conn.rollback()
        except DOWN_ERRORS:
            pass  # a lost connection was rolled back by the server; nothing to undo here
        finally:
            conn.close()


class _DeadConnection(Exception):
    """A read lane's connection was found dropped; the read may run once more."""


def _read_once(
    reads: Engine, query: HotSelect, params: Sequence[Any], id_count: int, *, retry: bool
) -> list[Any]:
    dbapi = reads.dialect.loaded_dbapi
    down = (dbapi.OperationalError, dbapi.InterfaceError)
    try:
        # The pool raises the driver's own errors (a refused connect), or its TimeoutError.
        raw = reads.raw_connection()
    except (*DOWN_ERRORS, *down) as exc:
        raise Unavailable("database unavailable") from exc
    try:
        return _fetch(raw, reads.dialect, query, params, id_count)
    except down as exc:
        if retry and reads.dialect.is_disconnect(exc, raw, None):
            raw.invalidate(exc)
            raise _DeadConnection() from exc
        raise Unavailable("database unavailable") from exc
    finally:
        raw.close()


def _fetch(
    raw: Any, dialect: sa.Dialect, query: HotSelect, params: Sequence[Any], id_count: int
) -> list[Any]:
    sql = query.render(dialect.paramstyle == "qmark", id_count)
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        return list(map(query.row._make, cursor.fetchall()))
    finally:
        cursor.close()


class SqlStore:
    """A repository bound to one unit of work's session (and so to its transaction), or,
    for a caller holding a connection, to that connection."""

    def __init__(self, conn: Connection | SqlSession) -> None:
        self._session = conn if isinstance(conn, SqlSession) else SqlSession.on(conn)

    @property
    def _conn(self) -> Connection:
        """The transaction's connection, checked out and begun on first use."""
        return self._session.connection

    def _run(self, stmt: sa.Executable, params: Any = None) -> CursorResult[Any]:
        with guarded():
            return self._conn.execute(stmt, params)

    def _rows(self, stmt: sa.Executable, params: Any = None) -> Sequence[Row[Any]]:
        with guarded():
            return self._conn.execute(stmt, params).all()

    def _first(self, stmt: sa.Executable) -> Row[Any] | None:
        with guarded():
            return self._conn.execute(stmt).first()

    def _column(self, stmt: sa.Executable, params: Any = None) -> list[Any]:
        with guarded():
            return list(self._conn.execute(stmt, params).scalars())

    def _hot_window(
        self, query: WindowedSelect, params: Sequence[Any], window: Window
    ) -> list[Any]:
        """The rows of `query` inside `window` (`params` fill the statement's own `?`s)."""
        shaped, more = query.shaped(window)
        return self._hot(shaped, [*params, *more])

    def _hot(self, query: HotSelect, params: Sequence[Any], id_count: int = 0) -> list[Any]:
        """The rows of `query` (named tuples), where the session runs hot reads (SqlSession);
        a driver's connection failure is Unavailable, as through SQLAlchemy."""
        return self._session.hot(query, params, id_count)
