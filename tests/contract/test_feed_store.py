"""Contract of FeedStore: one newsfeed entry per (reader, tweet), paged by tweet id."""

from __future__ import annotations

import random
import socket
from collections import Counter
from typing import Any

import pytest
from thriftpy2.thrift import TClient

from adapters.hbase import create_tables, hbase_pool_resource, ping_hbase
from adapters.hbase.codecs import INT64, NEWEST_FIRST
from adapters.hbase.feeds import HBaseFeedStore
from core.domain.errors import Unavailable
from core.domain.ids import MAX_ID, compose, micros_of
from core.domain.paging import Window
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import (
    BOUNDARY_AUTHOR_ID,
    BOUNDARY_IDS,
    BOUNDARY_USER_ID,
    Maker,
    add_tweets,
    add_users,
    entry,
)
from tests.contract.hbase_backends import SessionTables, dropping_gateway
from tests.contract.windows import WindowCase, walk, window_cases


@pytest.fixture
def uow(graph_uow: UnitOfWork) -> UnitOfWork:
    """Every case runs on HBase too: `graph_uow` adds it to the relational backends."""
    return graph_uow


@window_cases()
def test_tweet_ids_pages_one_readers_feed_by_tweet_id(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        reader, other_reader, alice, bob = add_users(uow, make, 4)
        ids = []
        for author in (alice, bob, alice, bob, alice):
            (tweet,) = add_tweets(uow, make, author.id, 1)
            uow.feeds.add_many([make.feed_item(reader.id, tweet)])
            ids.append(tweet.id)
            (elsewhere,) = add_tweets(uow, make, author.id, 1)
            uow.feeds.add_many([make.feed_item(other_reader.id, elsewhere)])
        assert uow.feeds.tweet_ids(reader.id, case.window(ids)) == case.expected(ids)


def test_adding_entries_again_keeps_one_entry_each(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        tweets = add_tweets(uow, make, author.id, 3)
        items = [make.feed_item(reader.id, t) for t in tweets]
        uow.feeds.add_many(items[:2])
        uow.feeds.add_many(items)
        uow.feeds.add_many([items[0], items[0]])
        assert uow.feeds.tweet_ids(reader.id, Window()) == [t.id for t in reversed(tweets)]


def test_adding_no_entries_is_harmless(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (reader,) = add_users(uow, make, 1)
        uow.feeds.add_many([])
        assert uow.feeds.tweet_ids(reader.id, Window()) == []


def test_one_tweet_can_sit_in_many_feeds(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b, author = add_users(uow, make, 3)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.feeds.add_many([make.feed_item(a.id, tweet), make.feed_item(b.id, tweet)])
        assert uow.feeds.tweet_ids(a.id, Window()) == [tweet.id]
        assert uow.feeds.tweet_ids(b.id, Window()) == [tweet.id]


def test_remove_author_drops_only_that_authors_entries_from_one_feed(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        reader, other_reader, alice, bob = add_users(uow, make, 4)
        by_alice = add_tweets(uow, make, alice.id, 3)
        by_bob = add_tweets(uow, make, bob.id, 2)
        uow.feeds.add_many([make.feed_item(reader.id, t) for t in by_alice + by_bob])
        uow.feeds.add_many([make.feed_item(other_reader.id, t) for t in by_alice])
        assert uow.feeds.remove_author(reader.id, alice.id) == 3
        assert uow.feeds.tweet_ids(reader.id, Window()) == [t.id for t in reversed(by_bob)]
        assert len(uow.feeds.tweet_ids(other_reader.id, Window())) == 3


def test_remove_author_with_nothing_to_remove_counts_zero(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, alice = add_users(uow, make, 2)
        assert uow.feeds.remove_author(reader.id, alice.id) == 0


def test_remove_tweet_drops_it_from_the_given_feeds_only(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b, c, author = add_users(uow, make, 4)
        doomed, kept = add_tweets(uow, make, author.id, 2)
        uow.feeds.add_many([make.feed_item(r.id, t) for r in (a, b, c) for t in (doomed, kept)])
        assert uow.feeds.remove_tweet(doomed.id, [a.id, b.id, make.new_id()]) == 2
        assert uow.feeds.tweet_ids(a.id, Window()) == [kept.id]
        assert uow.feeds.tweet_ids(b.id, Window()) == [kept.id]
        assert uow.feeds.tweet_ids(c.id, Window()) == [kept.id, doomed.id]


def test_remove_tweet_twice_counts_zero_the_second_time(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.feeds.add_many([make.feed_item(reader.id, tweet)])
        assert uow.feeds.remove_tweet(tweet.id, [reader.id]) == 1
        assert uow.feeds.remove_tweet(tweet.id, [reader.id]) == 0
        assert uow.feeds.remove_tweet(tweet.id, []) == 0


def test_an_entry_written_twice_is_removed_once(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, alice, bob = add_users(uow, make, 3)
        (by_alice,) = add_tweets(uow, make, alice.id, 1)
        (by_bob,) = add_tweets(uow, make, bob.id, 1)
        uow.feeds.add_many([make.feed_item(reader.id, by_alice)] * 2)
        uow.feeds.add_many([make.feed_item(reader.id, by_alice), make.feed_item(reader.id, by_bob)])
        assert uow.feeds.remove_author(reader.id, alice.id) == 1
        assert uow.feeds.remove_tweet(by_bob.id, [reader.id, reader.id]) == 1
        assert uow.feeds.tweet_ids(reader.id, Window()) == []


def test_a_removed_entry_is_gone_from_every_window(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        first, doomed, last = add_tweets(uow, make, author.id, 3)
        uow.feeds.add_many([make.feed_item(reader.id, t) for t in (first, doomed, last)])
        uow.feeds.remove_tweet(doomed.id, [reader.id])
        oldest_first = Window(limit=5, lower=first.id, newest_first=False)
        assert uow.feeds.tweet_ids(reader.id, oldest_first) == [last.id]
        assert uow.feeds.tweet_ids(reader.id, Window(upper=last.id)) == [first.id]


def test_entries_made_in_the_same_microsecond_page_by_tweet_id(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        micros = micros_of(make.clock.now())
        ids = sorted(
            compose(micros + dm, worker, seq)
            for dm, worker, seq in [(0, 0, 0), (0, 0, 1), (0, 0, 255), (0, 3, 0), (0, 15, 255)]
            + [(-1, 15, 255), (1, 0, 0)]
        )
        uow.feeds.add_many(
            [entry(reader.id, t, author.id) for t in random.Random(5).sample(ids, 7)]
        )
        read = lambda w: uow.feeds.tweet_ids(reader.id, w)  # noqa: E731
        assert walk(read, newest_first=True) == ids[::-1]
        assert walk(read, newest_first=False) == ids


def test_tweet_ids_near_the_top_of_the_id_range_keep_their_order(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        ids = [1, 2**32, 2**62, MAX_ID - 1, MAX_ID]
        uow.feeds.add_many([entry(reader.id, t, author.id) for t in ids])
        listed = lambda w: uow.feeds.tweet_ids(reader.id, w)  # noqa: E731
        assert listed(Window(limit=10)) == ids[::-1]
        assert listed(Window(limit=5, lower=MAX_ID - 1, newest_first=False)) == [MAX_ID]
        assert listed(Window(limit=1, upper=MAX_ID)) == [MAX_ID - 1, 2**62]
        assert listed(Window(limit=9, lower=2**32, upper=MAX_ID)) == [MAX_ID - 1, 2**62]
        oldest_first = Window(limit=9, lower=2**62, newest_first=False)
        assert listed(oldest_first) == [MAX_ID - 1, MAX_ID]
        oldest_first = Window(limit=9, lower=1, upper=MAX_ID, newest_first=False)
        assert listed(oldest_first) == [2**32, 2**62, MAX_ID - 1]


@pytest.mark.parametrize("limit", [2, 4])
@pytest.mark.parametrize("newest_first", [True, False], ids=["newest_first", "oldest_first"])
def test_a_feed_pages_across_region_boundaries_with_cursors(
    uow: UnitOfWork, newest_first: bool, limit: int
) -> None:
    with uow:
        authors = [BOUNDARY_AUTHOR_ID, BOUNDARY_AUTHOR_ID + 1]
        items = [entry(BOUNDARY_USER_ID, t, authors[k % 2]) for k, t in enumerate(BOUNDARY_IDS)]
        uow.feeds.add_many(random.Random(11).sample(items, len(items)))
        read = lambda w: uow.feeds.tweet_ids(BOUNDARY_USER_ID, w)  # noqa: E731
        expected = BOUNDARY_IDS[::-1] if newest_first else BOUNDARY_IDS
        assert walk(read, newest_first=newest_first, limit=limit) == expected


def test_remove_author_reaches_across_region_boundaries(uow: UnitOfWork) -> None:
    with uow:
        others = [BOUNDARY_ID + 1 for BOUNDARY_ID in BOUNDARY_IDS[::3]]
        uow.feeds.add_many([entry(BOUNDARY_USER_ID, t, BOUNDARY_AUTHOR_ID) for t in BOUNDARY_IDS])
        uow.feeds.add_many([entry(BOUNDARY_USER_ID, t, BOUNDARY_AUTHOR_ID + 1) for t in others])
        assert uow.feeds.remove_author(BOUNDARY_USER_ID, BOUNDARY_AUTHOR_ID) == len(BOUNDARY_IDS)
        assert uow.feeds.tweet_ids(BOUNDARY_USER_ID, Window(limit=10)) == others[::-1]


# HBase only: the key encoding, round trips, and a gateway that is down.


def test_hbase_id_keys_sort_like_the_ids_over_the_whole_signed_range() -> None:
    ids = [-(2**63), -(2**62), -2, -1, 0, 1, 2**32, 2**62, 2**63 - 2, 2**63 - 1]
    assert sorted(ids, key=INT64.encode) == ids
    assert sorted(ids, key=NEWEST_FIRST.encode) == ids[::-1]
    assert [INT64.decode(INT64.encode(i)) for i in ids] == ids
    assert [NEWEST_FIRST.decode(NEWEST_FIRST.encode(i)) for i in ids] == ids


@pytest.fixture
def thrift_calls(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Every Thrift call made while the test runs, by method name."""
    calls: Counter[str] = Counter()
    send = TClient._req

    def counted(self: TClient, api: str, *args: Any, **kwargs: Any) -> Any:
        calls[api] += 1
        return send(self, api, *args, **kwargs)

    monkeypatch.setattr(TClient, "_req", counted)
    return calls


@pytest.mark.integration
def test_a_fan_out_batch_is_one_round_trip_and_a_page_one_scan_whatever_its_size(
    hbase_tables: SessionTables, make: Maker, thrift_calls: Counter[str]
) -> None:
    hbase_tables.empty()
    store, author = hbase_tables.feed_store(), make.new_id()
    readers = [make.new_id() for _ in range(1000)]
    tweets = [make.new_id() for _ in range(150)]
    thrift_calls.clear()
    store.add_many([entry(r, tweets[0], author) for r in readers])
    assert thrift_calls == Counter(mutateRows=1)
    store.add_many([entry(readers[0], t, author) for t in tweets[1:]])
    for limit in (5, 100):
        thrift_calls.clear()
        assert len(store.tweet_ids(readers[0], Window(limit=limit))) == limit + 1
        assert thrift_calls == Counter(scannerOpenWithScan=1, scannerGetList=1, scannerClose=1)


@pytest.mark.integration
def test_create_tables_makes_the_missing_tables_once_then_finds_them_ready(
    hbase_tables: SessionTables,
) -> None:
    pool, prefix = hbase_tables.pool, f"{hbase_tables.prefix}made_"
    try:
        assert create_tables(pool, prefix).startswith(
            f"HBase tables {prefix}follows, {prefix}feeds created with one region each"
        )
        assert create_tables(pool, prefix) == f"HBase tables {prefix}follows, {prefix}feeds ready"
        with pool.connection() as connection:
            family = connection.table(f"{prefix}feeds").families()[b"d"]
        assert (family["max_versions"], family["block_cache_enabled"]) == (1, True)
        store = HBaseFeedStore(pool, prefix)
        store.add_many([entry(1, 2, 3)])
        assert store.tweet_ids(1, Window()) == [2]
        ping_hbase(pool)
    finally:
        with pool.connection() as connection:
            for name in (f"{prefix}follows", f"{prefix}feeds"):
                connection.delete_table(name, disable=True)


def test_a_feed_store_whose_gateway_drops_every_connection_raises_unavailable() -> None:
    with dropping_gateway() as port:
        resource = hbase_pool_resource("127.0.0.1", port, size=1, timeout_ms=2000)
        resource_pool = next(resource)
        store = HBaseFeedStore(resource_pool, "chirp_gone_")
        with pytest.raises(Unavailable):
            store.add_many([entry(1, 2, 3)])
        with pytest.raises(Unavailable):
            store.tweet_ids(1, Window())
        with pytest.raises(Unavailable):
            ping_hbase(resource_pool)


def test_a_pool_on_a_port_nobody_listens_on_is_made_but_every_call_raises_unavailable() -> None:
    # Made lazily, so a process starts (and serves every user outside the gates) while
    # HBase is down; the stores' calls then say so.
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
    pool = next(hbase_pool_resource("127.0.0.1", port, size=1, timeout_ms=2000))
    with pytest.raises(Unavailable):
        HBaseFeedStore(pool, "chirp_nowhere_").tweet_ids(1, Window())
    with pytest.raises(Unavailable):
        ping_hbase(pool)
