"""In-memory newsfeed entries."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.database import Bound
from core.domain.feed import FeedItem
from core.domain.paging import Window
from core.ports.feed_store import FeedStore


class InMemoryFeedStore(Bound, FeedStore):
    """One entry per (reader, tweet); adding an existing entry changes nothing."""

    def add_many(self, items: Sequence[FeedItem]) -> None:
        self._interleave("add_many")
        feeds = self.db.feeds
        for item in items:
            feeds.setdefault((item.reader_id, item.tweet_id), item)

    def tweet_ids(self, reader_id: int, window: Window) -> list[int]:
        return window.pick([tweet for reader, tweet in self.db.feeds if reader == reader_id])

    def remove_author(self, reader_id: int, author_id: int) -> int:
        self._interleave("remove_author")
        feeds = self.db.feeds
        doomed = [
            k
            for k, item in feeds.items()
            if item.reader_id == reader_id and item.author_id == author_id
        ]
        for key in doomed:
            del feeds[key]
        return len(doomed)

    def remove_tweet(self, tweet_id: int, reader_ids: Sequence[int]) -> int:
        self._interleave("remove_tweet")
        feeds = self.db.feeds
        doomed = {(r, tweet_id) for r in reader_ids} & feeds.keys()
        for key in doomed:
            del feeds[key]
        return len(doomed)
