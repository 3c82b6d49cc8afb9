"""TokenStore port: login sessions, kept only as hashes."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


class TokenStore(Protocol):
    """Session tokens by their hash. Joins the unit of work; a down store raises Unavailable."""

    @abstractmethod
    def add(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        """Remember a token hash for a user until `expires_at`."""

    @abstractmethod
    def user_for(self, token_hash: str, now: datetime) -> int | None:
        """The user id of a live token; None when unknown, revoked or expired."""

    @abstractmethod
    def remove(self, token_hash: str) -> None:
        """Forget one token (idempotent)."""

    @abstractmethod
    def remove_all_for(self, user_id: int) -> None:
        """Forget every token of a user (idempotent)."""

    @abstractmethod
    def purge_expired(self, now: datetime) -> int:
        """Forget every token expired at `now` (expiry at or before it); how many went.
        Live tokens are untouched; idempotent."""
