"""Contract of RateLimitStore: per-key window counters that start with a ttl."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.memory import FakeClock, InMemoryRateLimitStore
from adapters.mysql.rate_limits import SWEEP_MS, SqlRateLimitStore, rate_window_engine, rate_windows
from core.domain.errors import Unavailable
from core.ports.rate_limit_store import RateLimitStore

WINDOW = 60
SQL_BACKENDS = ["sqlite", pytest.param("mysql", marks=pytest.mark.integration)]
# The SQL store is the embedded profile's (a SQLite file shared by the server's workers).
BACKENDS = ["memory", *SQL_BACKENDS, pytest.param("redis", marks=pytest.mark.integration)]


@contextmanager
def window_database(backend: str, tmp_path: Path) -> Iterator[Callable[[], Engine]]:
    """Makes engines on one empty `rate_windows` database (SQLite file or MariaDB), each as
    another process would have its own; all disposed at the end."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'ratelimits.sqlite3'}"
    else:
        from tests.contract.sql_backends import fresh_mysql_url

        url = fresh_mysql_url("chirp_test_rate_windows")
    opened: list[Iterator[Engine]] = []

    def make() -> Engine:
        opened.append(rate_window_engine(url))
        return next(opened[-1])

    with make().begin() as conn:
        conn.execute(sa.delete(rate_windows))
    try:
        yield make
    finally:
        for resource in opened:
            resource.close()


@pytest.fixture(params=BACKENDS)
def rate_limit_store(
    request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path
) -> Iterator[RateLimitStore]:
    """This module's own parameters: the conftest ones and the SQL store."""
    if request.param == "memory":
        yield InMemoryRateLimitStore(clock)
    elif request.param == "redis":
        from tests.contract import cache_backends

        yield cache_backends.make_redis_rate_limit_store()
    else:
        with window_database(request.param, tmp_path) as engines:
            yield SqlRateLimitStore(engines(), clock)


@pytest.fixture(params=SQL_BACKENDS)
def window_engines(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[[], Engine]]:
    with window_database(request.param, tmp_path) as engines:
        yield engines


def test_each_hit_counts_one_more(rate_limit_store: RateLimitStore) -> None:
    counts = [rate_limit_store.hit([("login:1.2.3.4", WINDOW)])[0] for _ in range(3)]
    assert counts == [1, 2, 3]


def test_keys_count_separately_and_answer_in_order(rate_limit_store: RateLimitStore) -> None:
    rate_limit_store.hit([("tweet:s:1", WINDOW)])
    counts = rate_limit_store.hit(
        [("tweet:m:1", WINDOW), ("tweet:s:1", WINDOW), ("tweet:s:2", WINDOW)]
    )
    assert counts == [1, 2, 1]


def test_hitting_no_keys_answers_nothing(rate_limit_store: RateLimitStore) -> None:
    assert rate_limit_store.hit([]) == []


def test_a_window_starts_over_once_its_ttl_has_passed(
    rate_limit_store: RateLimitStore, pass_time: Callable[[float], None]
) -> None:
    rate_limit_store.hit([("short", 1), ("long", WINDOW)])
    rate_limit_store.hit([("short", 1), ("long", WINDOW)])
    pass_time(1)
    assert rate_limit_store.hit([("short", 1), ("long", WINDOW)]) == [1, 3]


def test_memory_window_keeps_the_ttl_of_its_first_hit() -> None:
    clock = FakeClock()
    store = InMemoryRateLimitStore(clock)
    store.hit([("k", 10)])
    clock.advance(seconds=9)
    assert store.hit([("k", 10)]) == [2]
    clock.advance(seconds=1)
    assert store.hit([("k", 10)]) == [1]


def test_memory_store_switched_off_raises_unavailable() -> None:
    store = InMemoryRateLimitStore(FakeClock())
    store.available = False
    with pytest.raises(Unavailable):
        store.hit([("k", 10)])


def test_stores_on_one_database_count_one_window_together(
    window_engines: Callable[[], Engine], clock: FakeClock
) -> None:
    first, second = (
        SqlRateLimitStore(window_engines(), clock),
        SqlRateLimitStore(window_engines(), clock),
    )
    counts = [store.hit([("auth:ip:1.2.3.4", 1)])[0] for store in (first, second, first, second)]
    assert counts == [1, 2, 3, 4]


def test_a_hit_waits_for_a_hit_of_the_same_window_in_flight_and_counts_after_it(
    window_engines: Callable[[], Engine], clock: FakeClock
) -> None:
    """The bad interleaving: a second process hits a new window while the first one's
    transaction, which created it, is still open. It must count 2, not start over at 1."""
    first_engine = window_engines()
    first = SqlRateLimitStore(first_engine, clock)
    second = SqlRateLimitStore(window_engines(), clock)
    seconds: list[list[int]] = []
    racer = threading.Thread(target=lambda: seconds.append(second.hit([("k", WINDOW)])))

    def race_inside(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT") and not racer.is_alive():
            racer.start()
            racer.join(0.3)  # gives the racer time to reach the database; it cannot pass
            assert racer.is_alive(), "the second hit did not wait for the open transaction"

    sa.event.listen(first_engine, "after_cursor_execute", race_inside)
    assert first.hit([("k", WINDOW)]) == [1]
    racer.join(10)
    assert seconds == [[2]]


def test_expired_windows_are_deleted_by_a_later_hit(
    window_engines: Callable[[], Engine], clock: FakeClock
) -> None:
    engine = window_engines()
    store = SqlRateLimitStore(engine, clock)
    store.hit([(f"old:{n}", 1) for n in range(5)])
    clock.advance(seconds=SWEEP_MS / 1000 + 1)
    store.hit([("new", 1)])
    with engine.connect() as conn:
        assert conn.execute(sa.select(rate_windows.c.key)).scalars().all() == ["new"]
