"""Counts backend round trips (SQL statements, Redis and Memcached calls) per newsfeed page.

Run by hand or with `make bench` after `scripts/services up`. It builds a reader who follows
50 authors with 20 tweets each on the `full` profile (a scratch MariaDB database and Redis
db 14), then reads newsfeed pages of 20 and of 100 items, cold (caches emptied) and warm,
and at a cursor past the cached part of the list. The counts must not grow with the page
size: a page costs a constant number of round trips (no N+1).
"""

from __future__ import annotations

import os
import statistics
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pymemcache.client.base as memcache_base
import redis.connection
import sqlalchemy as sa
from sqlalchemy import event

from adapters.mysql.engine import make_engine, upgrade
from container import build_container
from core.domain.paging import Window
from settings import Settings

MYSQL = os.environ.get(
    "CHIRP_BENCH_MYSQL_URL", "mysql+pymysql://chirp:chirp@127.0.0.1:3306/chirp_test_bench"
)
REDIS = os.environ.get("CHIRP_BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
AUTHORS, TWEETS_EACH = 50, 20
calls: Counter[str] = Counter()


def _counting(name: str, original: Any) -> Any:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        calls[name] += 1
        return original(*args, **kwargs)

    return wrapper


def install_counters(engine: sa.Engine) -> None:
    event.listen(engine, "before_cursor_execute", lambda *a, **k: calls.update(["sql"]))
    # One packed send is one round trip, whether it carries a command or a whole pipeline.
    redis.connection.Connection.send_packed_command = _counting(
        "redis", redis.connection.Connection.send_packed_command
    )
    for method in ("_fetch_cmd", "_store_cmd", "_misc_cmd"):
        setattr(
            memcache_base.Client,
            method,
            _counting("memcached", getattr(memcache_base.Client, method)),
        )


def fresh_database() -> None:
    server, _, name = MYSQL.rpartition("/")
    admin = make_engine(server + "/chirp_test_contract")
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(
            sa.text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    admin.dispose()
    upgrade(MYSQL)


@contextmanager
def counted() -> Iterator[Counter[str]]:
    calls.clear()
    result: Counter[str] = Counter()
    yield result
    result.update(calls)


def main() -> None:
    fresh_database()
    settings = Settings(
        profile="full",
        mysql_url=MYSQL,
        redis_url=REDIS,
        queue_name="chirp-bench-feed",
        ratelimit_enabled=False,
    )
    c = build_container(settings)
    c.redis().flushdb()
    c.memcached().flush_all()
    install_counters(c.engine())
    reader = c.accounts().sign_up("bench_reader", "reader@example.com", "secret1").user
    for a in range(AUTHORS):
        author = c.accounts().sign_up(f"bench_author_{a:02d}", f"a{a}@example.com", "secret1").user
        for t in range(TWEETS_EACH):
            c.posting().post_tweet(author.id, f"tweet {t} by author {a}")
        c.following().follow(reader.id, author.id)
    c.worker_roles()
    assert c.dispatcher().settle(60), "fan-out did not finish"
    timeline = c.timeline()
    deep = timeline.read_home_feed(reader.id, Window(limit=100))
    for _ in range(8):  # walk to the 900th item: past the 800 cached ids
        deep = timeline.read_home_feed(reader.id, Window.newest(limit=100, cursor=deep.next_cursor))
    print(
        f"reader follows {AUTHORS} authors x {TWEETS_EACH} tweets; feed cap {settings.feed_cap}\n"
    )
    print(
        f"{'page':>5} {'case':<22} {'sql':>4} {'redis':>6} {'memcached':>10} {'items':>6}"
        f" {'median ms':>10}"
    )
    for limit in (20, 100):
        for case in ("cold (caches emptied)", "warm", "past the cache cap"):
            cursor = deep.next_cursor if case == "past the cache cap" else None
            if case.startswith("cold"):
                c.redis().flushdb()
                c.memcached().flush_all()
            start = time.perf_counter()
            with counted() as used:
                page = timeline.read_home_feed(reader.id, Window.newest(limit=limit, cursor=cursor))
            times = [(time.perf_counter() - start) * 1000]
            for _ in range(0 if case.startswith("cold") else 20):
                start = time.perf_counter()
                timeline.read_home_feed(reader.id, Window.newest(limit=limit, cursor=cursor))
                times.append((time.perf_counter() - start) * 1000)
            print(
                f"{limit:>5} {case:<22} {used['sql']:>4} {used['redis']:>6} "
                f"{used['memcached']:>10} {len(page.results):>6} "
                f"{statistics.median(times):>10.1f}"
            )


if __name__ == "__main__":
    main()
