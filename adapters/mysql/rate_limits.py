"""SqlRateLimitStore: fixed-window request counters in a SQL table every process shares."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, sqlite
from sqlalchemy.engine import Engine

from adapters.mysql.base import guarded
from adapters.mysql.engine import make_engine
from adapters.mysql.tables import MYSQL_OPTIONS
from adapters.mysql.types import MYSQL_DIALECTS, exact_string
from core.ports.clock import Clock
from core.ports.rate_limit_store import RateLimitStore

# Dead windows are deleted at most this often per store, in the transaction of a hit.
SWEEP_MS = 60_000

# Not in the schema of `tables.py`: windows are counters, not data. The embedded profile
# keeps them in a file of their own, and nothing migrates or backs them up.
window_metadata = sa.MetaData()
rate_windows = sa.Table(
    "rate_windows",
    window_metadata,
    sa.Column("key", exact_string(255), primary_key=True),
    sa.Column("hits", sa.Integer, nullable=False),
    # Milliseconds since the epoch on the store's Clock, not the database's own time.
    sa.Column("expires_ms", sa.BigInteger, nullable=False),
    sa.Index("ix_rate_windows_expires_ms", "expires_ms"),
    **MYSQL_OPTIONS,
)


def rate_window_engine(url: str) -> Iterator[Engine]:
    """An engine whose database has the `rate_windows` table, for a container's lifetime.

    Every process creates the table if it is missing (IF NOT EXISTS, so processes starting
    together do not collide); the engine is made in the process that uses it.
    """
    engine = make_engine(url)
    try:
        with guarded(), engine.begin() as conn:
            conn.execute(sa.schema.CreateTable(rate_windows, if_not_exists=True))
            for index in rate_windows.indexes:
                conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
        yield engine
    finally:
        engine.dispose()


class SqlRateLimitStore(RateLimitStore):
    """Window counters as rows of `rate_windows` (SQLite file or MariaDB), so a limit holds
    across every process that shares the database (the embedded server's workers).

    - A hit is one transaction: an upsert of every key (a new or expired window starts at 1
      with its ttl, a live one adds 1 and keeps its expiry), then one read of the counts.
      The database makes it atomic: SQLite holds its write lock from the upsert to the
      commit; MariaDB locks the rows, taken in key order, so two hits never deadlock.
    - Two processes creating the same window race only for the primary key: the upsert
      turns the loser's insert into an increment, so no hit is lost or counted twice.
    - Expired rows are deleted at most every SWEEP_MS by each store; until then they still
      count as expired, so a sweep never changes an answer.
    - A database that cannot answer raises Unavailable: a limiter must not guess.
    """

    def __init__(self, engine: Engine, clock: Clock) -> None:
        self._engine = engine
        self._clock = clock
        self._next_sweep = 0

    def hit(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        if not keys:
            return []
        now = int(self._clock.now().timestamp() * 1000)
        expiries: dict[str, int] = {}
        for key, ttl in keys:
            expiries.setdefault(key, now + max(int(ttl), 1) * 1000)
        rows = [{"key": key, "hits": 1, "expires_ms": expiries[key]} for key in sorted(expiries)]
        with guarded(), self._engine.begin() as conn:
            if now >= self._next_sweep:
                conn.execute(sa.delete(rate_windows).where(rate_windows.c.expires_ms <= now))
                self._next_sweep = now + SWEEP_MS
            conn.execute(_upsert(conn.dialect.name, now, rows))
            found = conn.execute(
                sa.select(rate_windows.c.key, rate_windows.c.hits).where(
                    rate_windows.c.key.in_(list(expiries))
                )
            ).all()
        counts = {key: int(hits) for key, hits in found}
        return [counts[key] for key, _ in keys]


def _upsert(dialect: str, now: int, rows: list[dict[str, Any]]) -> sa.Insert:
    """One multi-row INSERT of (key, 1, expiry) that, on an existing key, restarts an expired
    window or adds one to a live one. The new values are computed from the old row only: on
    MySQL the assignments run in order and see earlier ones, so `hits` (which reads the old
    expiry) comes before `expires_ms`. (One statement, not executemany: PyMySQL cannot bind
    parameters in an ON DUPLICATE clause of a batched insert.)"""
    table, c = rate_windows, rate_windows.c
    expired = c.expires_ms <= now
    if dialect in MYSQL_DIALECTS:
        stmt: Any = mysql.insert(table).values(rows)
        return stmt.on_duplicate_key_update(  # type: ignore[no-any-return]
            [
                ("hits", sa.case((expired, 1), else_=c.hits + 1)),
                ("expires_ms", sa.case((expired, stmt.inserted.expires_ms), else_=c.expires_ms)),
            ]
        )
    stmt = sqlite.insert(table).values(rows)
    return stmt.on_conflict_do_update(  # type: ignore[no-any-return]
        index_elements=[c.key],
        set_={
            "hits": sa.case((expired, 1), else_=c.hits + 1),
            "expires_ms": sa.case((expired, stmt.excluded.expires_ms), else_=c.expires_ms),
        },
    )
