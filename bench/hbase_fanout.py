"""Fan-out writes and feed pages on HBase, against the SQL feed store on MariaDB.

Run by hand after `scripts/services up`:

    .venv/bin/python bench/hbase_fanout.py [--batches 30] [--batch-size 1000] [--pages 50]

Writes `--batches` fan-out batches of `--batch-size` feed entries (one tweet to that many
readers, as a worker's FANOUT_BATCH job does) through `HBaseFeedStore.add_many` on scratch
tables, and through `SqlFeedStore.add_many` in one committed transaction per batch on a
scratch MariaDB database (`chirp_test_bench_hbase`, dropped at the end). Then reads pages of
a 1,000-entry feed on HBase, counting Thrift calls (every call goes through thriftpy2's
`TClient._req`): a page must cost the same calls whatever its size. The scratch HBase tables
are made by `create_tables`, so they have one region (Thrift1 cannot pre-split).
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from benchlib import fresh_database
from thriftpy2.thrift import TClient

from adapters.hbase import HBaseFeedStore, create_tables, hbase_pool_resource
from adapters.hbase.schema import TABLES
from adapters.mysql.engine import make_engine
from adapters.mysql.unit_of_work import SqlUnitOfWork
from core.domain.feed import FeedItem
from core.domain.ids import compose, micros_of
from core.domain.paging import Window
from core.ports.feed_store import FeedStore
from settings import Settings

DATABASE = "chirp_test_bench_hbase"  # the chirp user may create chirp_test_* databases
calls: Counter[str] = Counter()


def count_thrift_calls() -> None:
    send = TClient._req

    def counted(self: TClient, api: str, *args: Any, **kwargs: Any) -> Any:
        calls[api] += 1
        return send(self, api, *args, **kwargs)

    TClient._req = counted  # type: ignore[method-assign]


def drop_database(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {DATABASE}"))
    engine.dispose()


class Ids:
    """Distinct, time-ordered ids, as the id generator would make them."""

    def __init__(self) -> None:
        self._micros = micros_of(datetime.now(UTC))

    def next(self) -> int:
        self._micros += 1
        return compose(self._micros, 1, 0)


def batches(ids: Ids, count: int, size: int) -> list[list[FeedItem]]:
    author, made = ids.next(), []
    for _ in range(count):
        tweet = ids.next()
        at = datetime.now(UTC)
        made.append(
            [
                FeedItem(reader_id=ids.next(), tweet_id=tweet, author_id=author, created_at=at)
                for _ in range(size)
            ]
        )
    return made


def timed(write: Callable[[Sequence[FeedItem]], None], work: list[list[FeedItem]]) -> list[float]:
    """Seconds per batch."""
    times = []
    for items in work:
        started = time.perf_counter()
        write(items)
        times.append(time.perf_counter() - started)
    return times


def sql_writer(engine: sa.Engine) -> Callable[[Sequence[FeedItem]], None]:
    def write(items: Sequence[FeedItem]) -> None:
        with SqlUnitOfWork(engine) as uow:
            uow.feeds.add_many(items)
            uow.commit()

    return write


def write_row(name: str, size: int, times: list[float]) -> str:
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    rate = size * len(times) / sum(times)
    return f"{name:<23} {len(times):>7} {statistics.median(ms):>9.1f} {p99:>9.1f} {rate:>12,.0f}"


def page_rows(store: FeedStore, reader: int, sizes: list[int], pages: int) -> list[str]:
    rows = []
    for limit in sizes:
        calls.clear()
        times = []
        for _ in range(pages):
            started = time.perf_counter()
            assert len(store.tweet_ids(reader, Window(limit=limit))) == limit + 1
            times.append((time.perf_counter() - started) * 1000)
        per_page = {api: n / pages for api, n in sorted(calls.items())}
        summary = ", ".join(f"{api} {n:g}" for api, n in per_page.items())
        rows.append(
            f"{limit:>10} {sum(per_page.values()):>13g} {statistics.median(times):>9.2f}  {summary}"
        )
    return rows


def fanout_section(args: argparse.Namespace, hbase: FeedStore, engine: sa.Engine, ids: Ids) -> None:
    hbase.add_many(batches(ids, 1, args.batch_size)[0])  # warm the regions and sockets
    calls.clear()
    hbase_times = timed(hbase.add_many, batches(ids, args.batches, args.batch_size))
    per_batch = {api: n / args.batches for api, n in calls.items()}
    sql_times = timed(sql_writer(engine), batches(ids, args.batches, args.batch_size))
    print(f"fan-out: {args.batches} batches of {args.batch_size} entries, one after another")
    print(f"{'store':<23} {'batches':>7} {'p50 ms':>9} {'p99 ms':>9} {'entries/s':>12}")
    print(write_row("HBase add_many", args.batch_size, hbase_times))
    print(write_row("MariaDB add_many+commit", args.batch_size, sql_times))
    print(f"Thrift calls per HBase batch: {per_batch}")


def pages_section(args: argparse.Namespace, hbase: FeedStore, ids: Ids) -> None:
    reader, author = ids.next(), ids.next()
    at = datetime.now(UTC)
    hbase.add_many(
        [
            FeedItem(reader_id=reader, tweet_id=ids.next(), author_id=author, created_at=at)
            for _ in range(1000)
        ]
    )
    print(f"\nfeed pages on HBase ({args.pages} reads each, newest first, 1,000-entry feed)")
    print(f"{'page size':>10} {'calls/page':>13} {'p50 ms':>9}  calls by method")
    print("\n".join(page_rows(hbase, reader, [5, 20, 100], args.pages)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", default=30, type=int)
    parser.add_argument("--batch-size", default=1000, type=int)
    parser.add_argument("--pages", default=50, type=int)
    args = parser.parse_args()
    settings = Settings.from_env()
    prefix = f"chirp_bench_{uuid.uuid4().hex[:6]}_"
    count_thrift_calls()
    engine = make_engine(fresh_database(DATABASE))
    resource = hbase_pool_resource(settings.hbase_host, settings.hbase_port, 4, 30_000)
    pool = next(resource)
    try:
        create_tables(pool, prefix)
        hbase, ids = HBaseFeedStore(pool, prefix), Ids()
        fanout_section(args, hbase, engine, ids)
        pages_section(args, hbase, ids)
    finally:
        with pool.connection() as connection:
            for spec in TABLES:
                connection.delete_table(prefix + spec.name, disable=True)
        next(resource, None)
        drop_database(engine)


if __name__ == "__main__":
    main()
