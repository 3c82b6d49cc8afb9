"""Reads on the DB-API cursor (HotSelect) fail as SQLAlchemy's do: a lost server is Unavailable;
on the read lane a dropped connection is replaced once, and a gone server is Unavailable."""

from __future__ import annotations

import contextlib
import socket
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.memory.clock import FakeClock
from adapters.memory.ids import SequentialIdGenerator
from adapters.mysql.comments import SqlCommentRepository
from adapters.mysql.engine import make_engine, reader_of
from adapters.mysql.likes import SqlLikeRepository
from adapters.mysql.profiles import SqlProfileRepository
from adapters.mysql.tweets import SqlTweetRepository
from adapters.mysql.unit_of_work import SqlUnitOfWork
from adapters.mysql.users import SqlUserRepository
from core.domain.errors import Unavailable
from core.domain.paging import Window
from core.domain.social import TargetType
from core.domain.users import User
from tests.contract.builders import Maker
from tests.contract.sql_backends import fresh_mysql_url

pytestmark = pytest.mark.integration

HOT_READS: dict[str, Callable[[sa.Connection], Any]] = {
    "tweets by id": lambda c: SqlTweetRepository(c).get_many([1, 2]),
    "users by id": lambda c: SqlUserRepository(c).get_many([1, 2]),
    "one user": lambda c: SqlUserRepository(c).get(1),
    "profiles by id": lambda c: SqlProfileRepository(c).get_many([1, 2]),
    "liked ids": lambda c: SqlLikeRepository(c).liked_ids(1, TargetType.TWEET, [1, 2]),
    "a tweet's likes": lambda c: SqlLikeRepository(c).list_for(TargetType.TWEET, 1, 10),
    "a tweet's comments": lambda c: SqlCommentRepository(c).list_for_tweet(1, Window(limit=5)),
}


@pytest.fixture(scope="module")
def engine() -> Any:
    engine = make_engine(fresh_mysql_url("chirp_test_hot_reads"))
    yield engine
    engine.dispose()


@pytest.mark.parametrize("read", HOT_READS, ids=list(HOT_READS))
def test_a_hot_read_on_a_connection_the_server_dropped_is_unavailable(
    engine: sa.Engine, read: str
) -> None:
    conn = engine.connect()
    victim = conn.exec_driver_sql("SELECT CONNECTION_ID()").scalar_one()
    with engine.connect() as other:
        other.exec_driver_sql(f"KILL {int(victim)}")
    with pytest.raises(Unavailable):
        HOT_READS[read](conn)
    conn.invalidate()  # the pool must not hand out the dead connection again
    conn.close()


# The read lane (SqlSession): hot reads before a transaction run on an AUTOCOMMIT pool
# with no pre-ping, so a dead connection is found by the read itself.


@pytest.fixture(scope="module")
def maker() -> Maker:
    clock = FakeClock()
    return Maker(clock, SequentialIdGenerator(clock))


@pytest.fixture
def stored_user(engine: sa.Engine, maker: Maker) -> User:
    user = maker.user()
    with SqlUnitOfWork(engine) as uow:
        uow.users.add(user)
        uow.commit()
    return user


def _read_user(engine: sa.Engine, user: User) -> list[User]:
    with SqlUnitOfWork(engine) as uow:
        return uow.users.get_many([user.id])


def _kill_every_other_connection_to(engine: sa.Engine, *, spare: int = 0) -> int:
    """What a server restart does to this database's pooled connections (but `spare`'s);
    how many died."""
    with engine.connect() as admin:
        victims = admin.exec_driver_sql(
            "SELECT id FROM information_schema.processlist"
            " WHERE db = DATABASE() AND id <> CONNECTION_ID()"
        ).scalars()
        killed = 0
        for victim in [v for v in victims if v != spare]:
            with contextlib.suppress(sa.exc.OperationalError):  # it may have left meanwhile
                admin.exec_driver_sql(f"KILL {int(victim)}")
                killed += 1
        return killed


def _pool_read_connections(engine: sa.Engine, count: int) -> None:
    """Leave `count` connections idle in the read lane's pool."""
    reads = reader_of(engine)
    assert reads is not None
    held = [reads.raw_connection() for _ in range(count)]
    for raw in held:
        raw.close()
    assert reads.pool.checkedin() >= count  # type: ignore[attr-defined]


def test_a_read_whose_pooled_connection_the_server_killed_still_answers(
    engine: sa.Engine, stored_user: User
) -> None:
    assert _read_user(engine, stored_user) == [stored_user]
    _pool_read_connections(engine, 1)
    assert _kill_every_other_connection_to(engine) >= 1
    assert _read_user(engine, stored_user) == [stored_user]


def test_after_a_restart_killed_every_pooled_connection_the_next_read_still_answers(
    engine: sa.Engine, stored_user: User
) -> None:
    # One retry suffices only because the retry never takes another pooled (dead) one.
    _pool_read_connections(engine, 3)
    assert _kill_every_other_connection_to(engine) >= 3
    assert _read_user(engine, stored_user) == [stored_user]
    assert _read_user(engine, stored_user) == [stored_user]


class _Relay:
    """A TCP relay to MariaDB that can vanish: `stop` drops every connection through it
    and refuses new ones, as a server that is gone does."""

    def __init__(self, port: int) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)  # so the accept loop sees `stop`
        self.port = int(self._listener.getsockname()[1])
        self._target, self._open, self._stopped = port, list[socket.socket](), threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopped.set()
        self._thread.join()
        self._listener.close()
        for sock in self._open:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except TimeoutError:
                continue
            client.settimeout(None)
            server = socket.create_connection(("127.0.0.1", self._target))
            self._open += [client, server]
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    with contextlib.suppress(OSError):
        while chunk := source.recv(65536):
            sink.sendall(chunk)


def test_a_read_connection_out_of_the_pool_when_another_read_drops_the_pool_still_answers(
    engine: sa.Engine, stored_user: User
) -> None:
    reads = reader_of(engine)
    assert reads is not None
    in_flight = reads.raw_connection()  # another thread's read, between checkout and query
    cursor = in_flight.cursor()
    cursor.execute("SELECT CONNECTION_ID()")
    own_id = int(cursor.fetchone()[0])  # type: ignore[index]
    _pool_read_connections(engine, 1)
    assert _kill_every_other_connection_to(engine, spare=own_id) >= 1
    assert _read_user(engine, stored_user) == [stored_user]  # drops the pool, reads afresh
    cursor.execute("SELECT 1")
    assert cursor.fetchone() == (1,)
    cursor.close()
    in_flight.close()
    assert _read_user(engine, stored_user) == [stored_user]


@pytest.fixture
def relayed_engine() -> Any:
    relay = _Relay(3306)
    url = sa.make_url(fresh_mysql_url("chirp_test_hot_reads")).set(port=relay.port)
    engine = make_engine(url)
    yield engine, relay
    relay.stop()
    engine.dispose()


def test_a_read_whose_connection_dropped_is_unavailable_when_the_server_is_gone(
    relayed_engine: tuple[sa.Engine, _Relay],
) -> None:
    engine, relay = relayed_engine
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_many([1]) == []  # a read connection is pooled now
    relay.stop()  # the pooled connection drops, and the fresh one is refused
    with pytest.raises(Unavailable), SqlUnitOfWork(engine) as uow:
        uow.users.get_many([1])


def test_a_block_that_reads_nothing_needs_no_server(
    relayed_engine: tuple[sa.Engine, _Relay],
) -> None:
    engine, relay = relayed_engine
    relay.stop()
    with SqlUnitOfWork(engine) as uow:
        uow.commit()


def test_a_read_after_a_write_in_the_same_block_sees_the_uncommitted_write(
    engine: sa.Engine, maker: Maker
) -> None:
    user = maker.user()
    with SqlUnitOfWork(engine) as uow:
        assert uow.users.get_many([user.id]) == []  # on the read lane: no transaction yet
        uow.users.add(user)
        assert uow.users.get_many([user.id]) == [user]  # in the transaction
    assert _read_user(engine, user) == []  # rolled back: never committed


def test_a_read_lane_read_returns_times_as_aware_utc_datetimes(
    engine: sa.Engine, stored_user: User
) -> None:
    (read,) = _read_user(engine, stored_user)
    assert read.created_at == stored_user.created_at
    assert read.created_at.utcoffset() == timedelta(0)
