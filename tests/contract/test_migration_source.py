"""Contract of MigrationSource: SQL's follows and feed entries, by key and in key order."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from adapters.memory.migration_source import InMemoryMigrationSource
from core.domain.feed import FeedItem
from core.domain.social import Follow
from core.ports.migration_source import MigrationSource, Pair
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users
from tests.contract.conftest import UOW_BACKENDS


@dataclass(frozen=True)
class Backend:
    """A unit of work to write with and the source that reads the same store."""

    uow: UnitOfWork
    source: MigrationSource


@pytest.fixture(params=UOW_BACKENDS)
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Backend]:
    if request.param == "memory":
        db = InMemoryDatabase()
        yield Backend(InMemoryUnitOfWork(db), InMemoryMigrationSource(db))
        return
    from adapters.mysql.migration_source import SqlMigrationSource
    from adapters.mysql.unit_of_work import SqlUnitOfWork
    from tests.contract import migration_backends

    if request.param == "sqlite":
        engine = migration_backends.sqlite_engine(tmp_path)
    else:
        engine = migration_backends.mysql_engine()
    yield Backend(SqlUnitOfWork(engine), SqlMigrationSource(engine))
    engine.dispose()


def _edges(b: Backend, make: Maker, pairs: list[tuple[int, int]]) -> list[Follow]:
    edges = [make.follow(f, e) for f, e in pairs]
    with b.uow:
        for edge in edges:
            b.uow.follows.add(edge)
        b.uow.commit()
    return edges


def _users(b: Backend, make: Maker, count: int) -> list[int]:
    with b.uow:
        users = add_users(b.uow, make, count)
        b.uow.commit()
    return [u.id for u in users]


def _feed(b: Backend, make: Maker, readers: list[int], author: int, tweets: int) -> list[FeedItem]:
    with b.uow:
        made = add_tweets(b.uow, make, author, tweets)
        items = [make.feed_item(r, t) for r in readers for t in made]
        b.uow.feeds.add_many(items)
        b.uow.commit()
    return items


def test_follows_are_walked_by_follow_id_in_chunks_each_once(backend: Backend, make: Maker) -> None:
    a, b, c, d = _users(backend, make, 4)
    edges = _edges(backend, make, [(a, b), (c, a), (b, c), (d, a), (a, c)])
    walked: list[Follow] = []
    after = None
    while chunk := backend.source.follows_after(after, 2):
        assert len(chunk) <= 2
        walked += chunk
        after = chunk[-1].id
    assert walked == edges
    assert backend.source.count_follows_after(None) == 5
    assert backend.source.count_follows_after(edges[1].id) == 3


def test_feed_entries_are_walked_by_reader_then_tweet_each_once(
    backend: Backend, make: Maker
) -> None:
    r1, r2, author = _users(backend, make, 3)
    items = _feed(backend, make, [r2, r1], author, 3)
    walked: list[FeedItem] = []
    after: Pair | None = None
    while chunk := backend.source.feed_items_after(after, 4):
        walked += chunk
        after = (chunk[-1].reader_id, chunk[-1].tweet_id)
    assert walked == sorted(items, key=lambda i: (i.reader_id, i.tweet_id))
    assert backend.source.count_feed_items_after(None) == 6
    assert backend.source.count_feed_items_after((r1, items[-1].tweet_id)) == 3


def test_follows_of_gives_the_edges_that_exist_among_the_pairs(
    backend: Backend, make: Maker
) -> None:
    a, b, c = _users(backend, make, 3)
    ab, ca = _edges(backend, make, [(a, b), (c, a)])
    found = backend.source.follows_of([(a, b), (b, a), (c, a), (a, c)])
    assert found == {(a, b): ab, (c, a): ca}
    assert backend.source.follows_of([]) == {}


def test_feed_items_of_gives_the_entries_that_exist_among_the_pairs(
    backend: Backend, make: Maker
) -> None:
    reader, other, author = _users(backend, make, 3)
    first, second = _feed(backend, make, [reader], author, 2)
    asked = [(reader, first.tweet_id), (other, first.tweet_id), (reader, second.tweet_id)]
    assert backend.source.feed_items_of(asked) == {
        (reader, first.tweet_id): first,
        (reader, second.tweet_id): second,
    }
    assert backend.source.feed_items_of([]) == {}


def test_feed_items_by_gives_one_authors_entries_in_one_feed_oldest_first(
    backend: Backend, make: Maker
) -> None:
    reader, other, author, someone = _users(backend, make, 4)
    mine = _feed(backend, make, [reader], author, 3)
    _feed(backend, make, [other], author, 1)
    _feed(backend, make, [reader], someone, 1)
    assert backend.source.feed_items_by(reader, author) == mine
    assert backend.source.feed_items_by(other, someone) == []


def test_user_ids_are_walked_in_ascending_order(backend: Backend, make: Maker) -> None:
    users = _users(backend, make, 5)
    assert backend.source.user_ids_after(None, 3) == users[:3]
    assert backend.source.user_ids_after(users[2], 3) == users[3:]


def test_a_write_not_yet_committed_is_not_seen(backend: Backend, make: Maker) -> None:
    a, b = _users(backend, make, 2)
    seen: list[dict[Pair, Follow]] = []
    reader: threading.Thread | None = None
    with backend.uow:
        backend.uow.follows.add(make.follow(a, b))
        if isinstance(backend.source, InMemoryMigrationSource):
            # Its lock is re-entrant, so read from another thread (as another process
            # would): the read waits for the block to end, and the block rolls back.
            source = backend.source
            reader = threading.Thread(target=lambda: seen.append(source.follows_of([(a, b)])))
            reader.start()
        else:  # its own connection, while the block's transaction is still open
            seen.append(backend.source.follows_of([(a, b)]))
    if reader is not None:
        reader.join()
    assert seen == [{}]
