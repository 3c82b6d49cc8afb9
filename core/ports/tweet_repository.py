"""TweetRepository port: tweets with their photos and exact counts."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.paging import Window
from core.domain.tweets import Tweet


class TweetRepository(Protocol):
    """Tweets by id and by author. Joins the unit of work; a down store raises Unavailable.

    The row rule: `change_counts` and `delete` report whether the tweet's row was there, and
    from then until the transaction ends they hold that row (a row lock in SQL; the fake
    serialises whole units of work). A writer of a tweet's likes or comments that changes
    the count before it writes the child row, and a deletion that removes the tweet's row
    before its children, are therefore serialised on the tweet: the child lands wholly
    before the deletion (and goes with it), or finds no tweet.
    """

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
    def delete(self, tweet_id: int) -> bool:
        """Remove the tweet (its row first) and its photo records; False, changing nothing,
        when there was no such tweet (idempotent)."""

    @abstractmethod
    def list_by_users(self, user_ids: Sequence[int], window: Window) -> list[Tweet]:
        """Tweets by any of `user_ids` inside `window`, in the window's order, at most fetch."""

    @abstractmethod
    def named_photo_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of `keys` a stored tweet's photo names, in one round trip (none for none)."""

    @abstractmethod
    def change_counts(self, tweet_id: int, *, likes: int = 0, comments: int = 0) -> bool:
        """Add to the counts atomically in the store (a count never goes below zero); True
        when the tweet exists, False (and no change) when not, even when both deltas are 0.
        """
