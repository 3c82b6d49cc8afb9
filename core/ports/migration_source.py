"""MigrationSource port: SQL's follows and feed entries, read for copying them elsewhere."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.feed import FeedItem
from core.domain.social import Follow

Pair = tuple[int, int]


class MigrationSource(Protocol):
    """The store follows and feeds move away from (SQL), read outside any unit of work, so
    only committed rows are seen: in primary-key order for the backfill, by key when a
    mirror re-reads the truth. Every call is one round trip. A down store raises Unavailable.
    """

    @abstractmethod
    def follows_after(self, after_id: int | None, limit: int) -> list[Follow]:
        """Up to `limit` edges with a follow id above `after_id`, ascending by id."""

    @abstractmethod
    def count_follows_after(self, after_id: int | None) -> int:
        """How many edges have a follow id above `after_id` (all when None)."""

    @abstractmethod
    def feed_items_after(self, after: Pair | None, limit: int) -> list[FeedItem]:
        """Up to `limit` entries whose (reader_id, tweet_id) comes after `after`, ascending."""

    @abstractmethod
    def count_feed_items_after(self, after: Pair | None) -> int:
        """How many entries come after `after` in (reader_id, tweet_id) order (all when None)."""

    @abstractmethod
    def follows_of(self, pairs: Sequence[Pair]) -> dict[Pair, Follow]:
        """The edges that exist among (follower_id, followee_id) `pairs`, by pair; a pair
        with no edge is absent."""

    @abstractmethod
    def feed_items_of(self, pairs: Sequence[Pair]) -> dict[Pair, FeedItem]:
        """The entries that exist among (reader_id, tweet_id) `pairs`, by pair; a pair with
        no entry is absent."""

    @abstractmethod
    def feed_items_by(self, reader_id: int, author_id: int) -> list[FeedItem]:
        """Every entry by `author_id` in `reader_id`'s feed, ascending by tweet id."""

    @abstractmethod
    def user_ids_after(self, after_id: int | None, limit: int) -> list[int]:
        """Up to `limit` user ids above `after_id`, ascending."""
