"""A newsfeed page costs the same backend round trips whatever its size (full profile)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pymemcache.client.base as memcache_base
import pymysql.connections
import pytest
import redis.connection

from container import Container, build_container
from core.domain.paging import Window
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url

pytestmark = pytest.mark.integration

AUTHORS, TWEETS_EACH, CAP = 6, 10, 40


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Round trips by backend: SQL statements (each one the driver sends, through
    SQLAlchemy or straight on the cursor), Redis packed sends (a whole pipeline or Lua call
    is one), Memcached commands (a multi-get is one)."""
    calls: Counter[str] = Counter()

    def counting(name: str, original: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            calls[name] += 1
            return original(*args, **kwargs)

        return wrapper

    query = pymysql.connections.Connection.query
    monkeypatch.setattr(pymysql.connections.Connection, "query", counting("sql", query))
    send = redis.connection.Connection.send_packed_command
    monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counting("redis", send))
    for method in ("_fetch_cmd", "_store_cmd", "_misc_cmd"):
        original = getattr(memcache_base.Client, method)
        monkeypatch.setattr(memcache_base.Client, method, counting("memcached", original))
    return calls


@pytest.fixture
def full(tmp_path: Path, counted: Counter[str]) -> Iterator[Container]:
    settings = Settings(
        profile="full",
        data_dir=tmp_path,
        ratelimit_enabled=False,
        mysql_url=fresh_mysql_url("chirp_test_roundtrips"),
        redis_url="redis://127.0.0.1:6379/10",
        queue_name="chirp-test-trips",
        feed_cap=CAP,
    )
    container = build_container(settings)
    container.redis().flushdb()
    container.memcached().flush_all()
    container.worker_roles()
    yield container
    container.shutdown_resources()


def page_cost(
    container: Container,
    counted: Counter[str],
    reader_id: int,
    limit: int,
    cursor: str | None,
    cold: bool,
) -> tuple[Counter[str], int]:
    if cold:
        container.redis().flushdb()
        container.memcached().flush_all()
    counted.clear()
    page = container.timeline().read_home_feed(reader_id, Window.newest(limit=limit, cursor=cursor))
    return Counter(counted), len(page.results)


def test_a_feed_page_costs_the_same_round_trips_at_5_and_at_25_items(
    full: Container, counted: Counter[str]
) -> None:
    reader = full.accounts().sign_up("reader_01", "reader@example.com", "secret1").user
    for a in range(AUTHORS):
        author = full.accounts().sign_up(f"author_{a:02d}", f"a{a}@example.com", "secret1").user
        for t in range(TWEETS_EACH):
            full.posting().post_tweet(author.id, f"tweet {t} by author {a}")
        full.following().follow(reader.id, author.id)
    assert full.dispatcher().settle(60)
    # The relay loop polls the outbox on its own thread: stop it and the consumer, so only
    # the page's own statements are counted.
    full.relay_loop.shutdown()
    full.job_consumer.shutdown()
    past_cap = full.timeline().read_home_feed(reader.id, Window(limit=CAP + 2)).next_cursor

    for case, cursor, cold in [
        ("cold", None, True),
        ("warm", None, False),
        ("past the cached list", past_cap, False),
    ]:
        small, small_items = page_cost(full, counted, reader.id, 5, cursor, cold)
        large, large_items = page_cost(full, counted, reader.id, 25, cursor, cold)
        assert small_items < large_items, case  # the pages really differ in size
        assert not cold or small["sql"] >= 3, small  # tweets, users, profiles: all counted
        assert small == large, f"{case}: {small} for 5 items, {large} for 25"
