"""FeedStore port: the durable newsfeed entries written by fan-out."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.feed import FeedItem
from core.domain.paging import Window


class FeedStore(Protocol):
    """One entry per (reader, tweet). The SQL store joins the unit of work; other stores
    write at once. A down store raises Unavailable."""

    @abstractmethod
    def add_many(self, items: Sequence[FeedItem]) -> None:
        """Store entries; an entry that exists already is left as it is (idempotent)."""

    @abstractmethod
    def tweet_ids(self, reader_id: int, window: Window) -> list[int]:
        """Tweet ids in the reader's feed inside `window`, in the window's order, at most fetch."""

    @abstractmethod
    def remove_author(self, reader_id: int, author_id: int) -> int:
        """Drop every entry by `author_id` from one reader's feed; how many went."""

    @abstractmethod
    def remove_tweet(self, tweet_id: int, reader_ids: Sequence[int]) -> int:
        """Drop one tweet from the feeds of `reader_ids`; how many entries went."""
