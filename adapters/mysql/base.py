"""What every SQL repository shares: driver-error translation, windows, insert-if-absent and
hot reads on the DB-API cursor."""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, CursorResult, Row

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
    """A SELECT run on the DB-API cursor of the unit of work's connection, for the few reads
    every page makes (tweets, users and profiles by id, likes, a tweet's comments). SQLAlchemy
    spent 0.05-0.2 ms a statement keying, compiling and processing rows (SQLite: parsing
    times with a regular expression); the cursor takes about 0.01 ms.

    Rule: `sql` is plain SQL read the same by SQLite and MySQL (backticks quote names, `?`
    marks a parameter, `{ids}` an id list); its columns come back as `fields`, in that
    order, and time columns are raw (`rows.utc` reads them). The contract suites run every
    such read on both dialects.
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


class SqlStore:
    """A repository bound to one connection (and so to one transaction)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

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
        """The rows of `query` (named tuples) in this store's transaction; a driver's
        connection failure is Unavailable, as through SQLAlchemy."""
        dialect = self._conn.dialect
        dbapi = dialect.loaded_dbapi
        sql = query.render(dialect.paramstyle == "qmark", id_count)
        with guarded():
            cursor = self._conn.connection.cursor()
        try:
            cursor.execute(sql, params)
            return list(map(query.row._make, cursor.fetchall()))
        except (dbapi.OperationalError, dbapi.InterfaceError) as exc:
            raise Unavailable("database unavailable") from exc
        finally:
            cursor.close()
