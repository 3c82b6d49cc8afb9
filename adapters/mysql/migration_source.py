"""SqlMigrationSource: the `follows` and `feed_entries` tables, walked by primary key."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row

from adapters.mysql import rows
from adapters.mysql.base import guarded
from adapters.mysql.tables import feed_entries, follows, users
from core.domain.feed import FeedItem
from core.domain.social import Follow
from core.ports.migration_source import MigrationSource, Pair


class SqlMigrationSource(MigrationSource):
    """Each call reads on a connection of its own, outside any unit of work, so it sees
    committed rows only. Walks use the primary keys (follows.id; feed_entries' (reader_id,
    tweet_id)), so a chunk is one index range read whatever the table's size."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def follows_after(self, after_id: int | None, limit: int) -> list[Follow]:
        stmt = sa.select(follows).where(_after_id(follows.c.id, after_id))
        return [rows.follow_from(r) for r in self._rows(stmt.order_by(follows.c.id).limit(limit))]

    def count_follows_after(self, after_id: int | None) -> int:
        return self._count(follows, _after_id(follows.c.id, after_id))

    def feed_items_after(self, after: Pair | None, limit: int) -> list[FeedItem]:
        stmt = (
            sa.select(feed_entries)
            .where(_after_pair(after))
            .order_by(feed_entries.c.reader_id, feed_entries.c.tweet_id)
            .limit(limit)
        )
        return [rows.feed_item_from(r) for r in self._rows(stmt)]

    def count_feed_items_after(self, after: Pair | None) -> int:
        return self._count(feed_entries, _after_pair(after))

    def follows_of(self, pairs: Sequence[Pair]) -> dict[Pair, Follow]:
        if not pairs:
            return {}
        key = sa.tuple_(follows.c.follower_id, follows.c.followee_id)
        found = self._rows(sa.select(follows).where(key.in_(set(pairs))))
        return {(r.follower_id, r.followee_id): rows.follow_from(r) for r in found}

    def feed_items_of(self, pairs: Sequence[Pair]) -> dict[Pair, FeedItem]:
        if not pairs:
            return {}
        key = sa.tuple_(feed_entries.c.reader_id, feed_entries.c.tweet_id)
        found = self._rows(sa.select(feed_entries).where(key.in_(set(pairs))))
        return {(r.reader_id, r.tweet_id): rows.feed_item_from(r) for r in found}

    def feed_items_by(self, reader_id: int, author_id: int) -> list[FeedItem]:
        stmt = (
            sa.select(feed_entries)
            .where(feed_entries.c.reader_id == reader_id, feed_entries.c.author_id == author_id)
            .order_by(feed_entries.c.tweet_id)
        )
        return [rows.feed_item_from(r) for r in self._rows(stmt)]

    def user_ids_after(self, after_id: int | None, limit: int) -> list[int]:
        stmt = sa.select(users.c.id).where(_after_id(users.c.id, after_id))
        return [r.id for r in self._rows(stmt.order_by(users.c.id).limit(limit))]

    def _count(self, table: sa.Table, where: sa.ColumnElement[bool]) -> int:
        found = self._rows(sa.select(sa.func.count()).select_from(table).where(where))
        return int(found[0][0])

    def _rows(self, stmt: sa.Select[Any]) -> Sequence[Row[Any]]:
        with guarded(), self._engine.connect() as conn:
            return conn.execute(stmt).all()


def _after_id(column: sa.Column[int], after_id: int | None) -> sa.ColumnElement[bool]:
    return sa.true() if after_id is None else column > after_id


def _after_pair(after: Pair | None) -> sa.ColumnElement[bool]:
    # Spelled out rather than as a row comparison, which not every MySQL version turns
    # into a range read of the primary key.
    if after is None:
        return sa.true()
    reader, tweet = after
    return sa.or_(
        feed_entries.c.reader_id > reader,
        sa.and_(feed_entries.c.reader_id == reader, feed_entries.c.tweet_id > tweet),
    )
