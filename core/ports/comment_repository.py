"""CommentRepository port: replies under tweets."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from core.domain.paging import Window
from core.domain.social import Comment


class CommentRepository(Protocol):
    """Comments by id and by tweet. Joins the unit of work; a down store raises Unavailable."""

    @abstractmethod
    def add(self, comment: Comment) -> None:
        """Store a new comment."""

    @abstractmethod
    def get(self, comment_id: int) -> Comment | None:
        """The comment, or None."""

    @abstractmethod
    def update(self, comment: Comment) -> None:
        """Save content and updated_at."""

    @abstractmethod
    def delete(self, comment_id: int) -> bool:
        """Remove one comment; False when there was none (idempotent). Of concurrent
        deletions of one comment exactly one answers True."""

    @abstractmethod
    def list_for_tweet(self, tweet_id: int, window: Window) -> list[Comment]:
        """Comments of a tweet inside `window`, in the window's order, at most fetch."""

    @abstractmethod
    def delete_for_tweet(self, tweet_id: int) -> list[int]:
        """Remove every comment of a tweet; the ids that went."""

    @abstractmethod
    def change_likes(self, comment_id: int, delta: int) -> bool:
        """Add to likes_count atomically in the store (never below zero); True when the
        comment exists, False (and no change) when not. Holds the comment's row to the end
        of the transaction, as `TweetRepository.change_counts` holds a tweet's."""
