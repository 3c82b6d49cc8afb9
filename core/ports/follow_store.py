"""FollowStore port: who follows whom."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.paging import Window
from core.domain.social import Follow


class FollowStore(Protocol):
    """Follow edges, readable from both sides. The SQL store joins the unit of work; other
    stores write at once. A down store raises Unavailable."""

    @abstractmethod
    def add(self, follow: Follow) -> bool:
        """Store the edge; False (and no change) when it already exists."""

    @abstractmethod
    def remove(self, follower_id: int, followee_id: int) -> bool:
        """Delete the edge; False when there was none."""

    @abstractmethod
    def get(self, follower_id: int, followee_id: int) -> Follow | None:
        """The edge, or None."""

    @abstractmethod
    def followers(self, user_id: int, window: Window) -> list[Follow]:
        """Edges into `user_id`, by follow id inside `window`, in the window's order."""

    @abstractmethod
    def followings(self, user_id: int, window: Window) -> list[Follow]:
        """Edges out of `user_id`, by follow id inside `window`, in the window's order."""

    @abstractmethod
    def follower_ids(self, user_id: int, after_id: int | None, limit: int) -> list[int]:
        """Up to `limit` follower user ids greater than `after_id`, ascending (for batching).

        A follow still being written in another unit of work is waited for, not skipped:
        the fan-out relies on it (FanoutService, the follow-vs-post rule)."""

    @abstractmethod
    def count_followers(self, user_id: int) -> int:
        """How many users follow `user_id`."""

    @abstractmethod
    def followed_among(self, follower_id: int, candidate_ids: Sequence[int]) -> set[int]:
        """Which of `candidate_ids` `follower_id` follows, in one round trip."""

    @abstractmethod
    def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        """Which of `candidate_ids` follow `followee_id`, in one round trip, held: until the
        unit of work ends, no other one can remove an edge among them (SQL: a locking
        read), so a fan-out batch that writes feed rows after this call never writes one
        for a reader whose unfollow (and its removal of the author's entries) slipped in
        between. Stores outside the unit of work (HBase) read without holding."""
