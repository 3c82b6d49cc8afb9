"""HBaseFeedStore: newsfeed entries in the `feeds` table, one row per (reader, tweet)."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.hbase.gateway import Gateway, Pool
from adapters.hbase.model import prefix_range, window_range
from adapters.hbase.schema import AUTHOR, BY_AUTHOR, ENTRY, FEEDS
from core.domain.feed import FeedItem
from core.domain.paging import Window
from core.ports.feed_store import FeedStore


class HBaseFeedStore(FeedStore):
    """Feed entries in HBase, written at once (never part of the SQL unit of work).

    Rules:
    - `add_many` is one batch, one round trip (up to 5,000 entries): each entry is its entry
      row plus its by_author row, both in the reader's prefix. An entry is a function of its
      reader and tweet, so writing it again writes the same cells: a redelivered fan-out
      changes nothing.
    - `tweet_ids` is one scan (three Thrift calls) whatever the page size.
    - `remove_author` scans that author's by_author rows in the reader's prefix and deletes
      them with their entries; `remove_tweet` reads the readers' entries in one multi-get (it
      needs each one's author to find its by_author row, and the count) and deletes what it
      found in one batch.
    Races that remain: an entry written after `remove_author`'s scan stays (as in SQL, where a
    fan-out that read the follower list before the unfollow writes after it); two removals of
    the same entries at once both count them. HBase hides a put made in the same server
    millisecond as a delete of that row, so an entry removed and added again within one
    millisecond stays removed; chirp never does that (unfollow and re-follow are two requests).
    """

    def __init__(self, pool: Pool, prefix: str, *, wait_seconds: float = 5.0) -> None:
        self._db = Gateway(pool, prefix, wait_seconds)

    def add_many(self, items: Sequence[FeedItem]) -> None:
        rows: dict[bytes, dict[bytes, bytes]] = {}
        for item in items:
            entry = ENTRY.key(reader_id=item.reader_id, tweet_id=item.tweet_id)
            rows[entry] = ENTRY.cells(author_id=item.author_id, created_at=item.created_at)
            rows[_by_author(item.reader_id, item.author_id, item.tweet_id)] = BY_AUTHOR.cells(
                marker=None
            )
        if rows:
            self._db.mutate(FEEDS, puts=rows)

    def tweet_ids(self, reader_id: int, window: Window) -> list[int]:
        key_range = window_range(ENTRY, window, reader_id=reader_id)
        if key_range is None:
            return []
        rows = self._db.scan(FEEDS, key_range, window.fetch, keys_only=True)
        return [ENTRY.read_key(key)["tweet_id"] for key, _ in rows]

    def remove_author(self, reader_id: int, author_id: int) -> int:
        key_range = prefix_range(BY_AUTHOR, reader_id=reader_id, author_id=author_id)
        rows = self._db.scan(FEEDS, key_range, None, keys_only=True)
        tweet_ids = [BY_AUTHOR.read_key(key)["tweet_id"] for key, _ in rows]
        doomed = [key for key, _ in rows]
        doomed += [ENTRY.key(reader_id=reader_id, tweet_id=t) for t in tweet_ids]
        self._db.mutate(FEEDS, deletes=doomed)
        return len(tweet_ids)

    def remove_tweet(self, tweet_id: int, reader_ids: Sequence[int]) -> int:
        keys = [ENTRY.key(reader_id=r, tweet_id=tweet_id) for r in set(reader_ids)]
        found = self._db.rows(FEEDS, keys, [AUTHOR.key])
        doomed = list(found)
        for key, cells in found.items():
            reader = ENTRY.read_key(key)["reader_id"]
            doomed.append(_by_author(reader, ENTRY.read_cells(cells)["author_id"], tweet_id))
        self._db.mutate(FEEDS, deletes=doomed)
        return len(found)


def _by_author(reader_id: int, author_id: int, tweet_id: int) -> bytes:
    return BY_AUTHOR.key(reader_id=reader_id, author_id=author_id, tweet_id=tweet_id)
