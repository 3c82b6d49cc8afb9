"""InMemoryMigrationSource: the memory database's follows and feed entries, walked by key."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.database import Bound, copied
from core.domain.feed import FeedItem
from core.domain.social import Follow
from core.ports.migration_source import MigrationSource, Pair


class InMemoryMigrationSource(Bound, MigrationSource):
    """Reads under the database's lock, which a unit of work holds for its whole block, so
    only committed rows are seen (as a separate SQL connection would)."""

    def follows_after(self, after_id: int | None, limit: int) -> list[Follow]:
        with self.db.lock:
            edges = sorted(self.db.follows.values(), key=lambda f: f.id)
        floor = -1 if after_id is None else after_id
        return [copied(f) for f in edges if f.id > floor][:limit]

    def count_follows_after(self, after_id: int | None) -> int:
        floor = -1 if after_id is None else after_id
        with self.db.lock:
            return sum(1 for f in self.db.follows.values() if f.id > floor)

    def feed_items_after(self, after: Pair | None, limit: int) -> list[FeedItem]:
        with self.db.lock:
            keys = sorted(k for k in self.db.feeds if after is None or k > after)[:limit]
            return [self.db.feeds[k] for k in keys]

    def count_feed_items_after(self, after: Pair | None) -> int:
        with self.db.lock:
            return sum(1 for k in self.db.feeds if after is None or k > after)

    def follows_of(self, pairs: Sequence[Pair]) -> dict[Pair, Follow]:
        with self.db.lock:
            follows = self.db.follows
            return {p: copied(follows[p]) for p in pairs if p in follows}

    def feed_items_of(self, pairs: Sequence[Pair]) -> dict[Pair, FeedItem]:
        with self.db.lock:
            feeds = self.db.feeds
            return {p: feeds[p] for p in pairs if p in feeds}

    def feed_items_by(self, reader_id: int, author_id: int) -> list[FeedItem]:
        with self.db.lock:
            items = [
                item
                for (reader, _), item in self.db.feeds.items()
                if reader == reader_id and item.author_id == author_id
            ]
        return sorted(items, key=lambda item: item.tweet_id)

    def user_ids_after(self, after_id: int | None, limit: int) -> list[int]:
        floor = -1 if after_id is None else after_id
        with self.db.lock:
            return sorted(u for u in self.db.users if u > floor)[:limit]
