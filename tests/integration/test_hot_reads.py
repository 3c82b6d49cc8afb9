"""Reads on the DB-API cursor (HotSelect) fail as SQLAlchemy's do: a lost server is Unavailable."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import sqlalchemy as sa

from adapters.mysql.comments import SqlCommentRepository
from adapters.mysql.engine import make_engine
from adapters.mysql.likes import SqlLikeRepository
from adapters.mysql.profiles import SqlProfileRepository
from adapters.mysql.tweets import SqlTweetRepository
from adapters.mysql.users import SqlUserRepository
from core.domain.errors import Unavailable
from core.domain.paging import Window
from core.domain.social import TargetType
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
