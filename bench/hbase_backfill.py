"""Backfill rate from MariaDB to HBase: `chirp migrate follows|feeds --to hbase` at scale.

Run by hand or by `make bench`, after `scripts/services up`:

    .venv/bin/python bench/hbase_backfill.py [--follows 100000] [--feed-rows 1000000]

Rows are bulk-loaded into a fresh MariaDB database; the HBase tables get a prefix of their
own (dropped at the end). The backfill runs through the same service `chirp migrate` drives,
with its default chunk of 1000 rows, and each kind is timed from start to complete.
"""

from __future__ import annotations

import argparse
import os
import time
import uuid
from contextlib import suppress
from datetime import UTC, datetime

import sqlalchemy as sa
from benchlib import fresh_database

from adapters.mysql.bulk import load_followers
from adapters.mysql.tables import feed_entries
from container import build_container
from core.services.migration import Movable
from settings import Settings

DATABASE = "chirp_test_bench_backfill"  # the chirp user may create chirp_test_* databases
FIRST_USER = 20_000_000
TWEETS_PER_READER = 10


def load_feed_rows(engine: sa.Engine, readers: range, count: int) -> None:
    """`count` feed rows: TWEETS_PER_READER tweets in each reader's feed, 10,000 a statement."""
    now = datetime.now(UTC)
    rows = (
        {"reader_id": r, "tweet_id": 10**15 + t, "author_id": 1, "created_at": now}
        for r in readers
        for t in range(TWEETS_PER_READER)
    )
    batch: list[dict[str, object]] = []
    for n, row in enumerate(rows):
        if n == count:
            break
        batch.append(row)
        if len(batch) == 10_000:
            with engine.begin() as conn:
                conn.execute(feed_entries.insert(), batch)
            batch = []
    if batch:
        with engine.begin() as conn:
            conn.execute(feed_entries.insert(), batch)


def timed_backfill(container: object, kind: Movable) -> tuple[int, float]:
    started, copied = time.perf_counter(), 0
    for rows in container.migration().backfill(kind):  # type: ignore[attr-defined]
        copied += rows
    return copied, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", default=100_000, type=int)
    parser.add_argument("--feed-rows", default=1_000_000, type=int)
    args = parser.parse_args()
    prefix = f"chirp_bench_{uuid.uuid4().hex[:6]}_"
    settings = Settings(
        profile="full", mysql_url=fresh_database(DATABASE), hbase_table_prefix=prefix,
        redis_url="redis://127.0.0.1:6379/8", queue_name="chirp-bench-backfill",
    )  # fmt: skip
    container = build_container(settings)
    try:
        container.backends.hbase_tables()
        author = 1
        readers = range(FIRST_USER, FIRST_USER + args.follows)
        started = time.perf_counter()
        load_followers(container.engine(), author, readers)
        load_feed_rows(container.engine(), readers, args.feed_rows)
        print(f"loaded {args.follows:,} follows and {args.feed_rows:,} feed rows into MariaDB "
              f"in {time.perf_counter() - started:.0f} s; backfill chunk 1000")  # fmt: skip
        for gate in ("hbase_follows", "hbase_feeds"):  # mirror writes; reads stay on SQL
            container.gatekeeper().set_gate(gate, 0, [author], [])
        print(f"{'kind':<8} {'rows':>10} {'seconds':>8} {'rows/s':>8}")
        for kind in (Movable.FOLLOWS, Movable.FEEDS):
            rows, seconds = timed_backfill(container, kind)
            print(
                f"{kind.value:<8} {rows:>10,} {seconds:>8.1f} {rows / seconds:>8,.0f}", flush=True
            )
    finally:
        with container.backends.hbase_pool().connection() as connection:
            for name in connection.tables():
                if name.decode().startswith(prefix):
                    with suppress(Exception):
                        connection.delete_table(name, disable=True)
        container.shutdown_resources()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    main()
