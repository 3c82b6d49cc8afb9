"""IdempotencyKeys port: a retried create returns the first result."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


class IdempotencyKeys(Protocol):
    """Client keys per user, each naming the tweet it made. Joins the unit of work; a down
    store raises Unavailable."""

    @abstractmethod
    def get(self, user_id: int, key: str, not_before: datetime) -> int | None:
        """The tweet id made with this key at or after `not_before`, or None."""

    @abstractmethod
    def put(self, user_id: int, key: str, tweet_id: int, created_at: datetime) -> None:
        """Record the key (replacing an expired record); a live record raises Conflict."""
