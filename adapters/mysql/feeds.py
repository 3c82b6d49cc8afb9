"""SqlFeedStore: newsfeed entries, one row per (reader, tweet), in `feed_entries`."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore, WindowedSelect, insert_ignore
from adapters.mysql.tables import feed_entries
from core.domain.feed import FeedItem
from core.domain.paging import Window
from core.ports.feed_store import FeedStore

_IDS = WindowedSelect(
    "SELECT tweet_id FROM feed_entries WHERE reader_id = ?", ("tweet_id",), "tweet_id"
)


class SqlFeedStore(SqlStore, FeedStore):
    """Feed entries; writing one twice leaves the first (a redelivered fan-out is harmless)."""

    def add_many(self, items: Sequence[FeedItem]) -> None:
        if items:
            self._run(insert_ignore(feed_entries), [rows.feed_item_values(i) for i in items])

    def tweet_ids(self, reader_id: int, window: Window) -> list[int]:
        return [r.tweet_id for r in self._hot_window(_IDS, [reader_id], window)]

    def remove_author(self, reader_id: int, author_id: int) -> int:
        result = self._run(
            sa.delete(feed_entries).where(
                feed_entries.c.reader_id == reader_id, feed_entries.c.author_id == author_id
            )
        )
        return result.rowcount

    def remove_tweet(self, tweet_id: int, reader_ids: Sequence[int]) -> int:
        if not reader_ids:
            return 0
        result = self._run(
            sa.delete(feed_entries).where(
                feed_entries.c.tweet_id == tweet_id, feed_entries.c.reader_id.in_(set(reader_ids))
            )
        )
        return result.rowcount
