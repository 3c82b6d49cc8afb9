"""TweetRepository port: tweets with their photos and exact counts."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.paging import Window
from core.domain.tweets import Tweet


class TweetRepository(Protocol):
    """Tweets by id and by author. Joins the unit of work; a down store raises Unavailable."""

    @abstractmethod
    def add(self, tweet: Tweet) -> None:
        """Store a new tweet and its photos (in position order)."""

    @abstractmethod
    def get(self, tweet_id: int) -> Tweet | None:
        """The tweet with photos and counts, or None."""

    @abstractmethod
    def get_many(self, tweet_ids: Sequence[int]) -> list[Tweet]:
        """The tweets that exist among `tweet_ids`, in the requested order, in one round trip."""

    @abstractmethod
    def update(self, tweet: Tweet) -> None:
        """Save content and edited_at of an existing tweet."""

    @abstractmethod
    def delete(self, tweet_id: int) -> None:
        """Remove the tweet and its photo records (idempotent)."""

    @abstractmethod
    def list_by_users(self, user_ids: Sequence[int], window: Window) -> list[Tweet]:
        """Tweets by any of `user_ids` inside `window`, in the window's order, at most fetch."""

    @abstractmethod
    def named_photo_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of `keys` a stored tweet's photo names, in one round trip (none for none)."""

    @abstractmethod
    def change_counts(self, tweet_id: int, *, likes: int = 0, comments: int = 0) -> None:
        """Add to the counts atomically in the store; a count never goes below zero."""
