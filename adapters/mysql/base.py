"""What every SQL repository shares: driver-error translation, windows and insert-if-absent."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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
