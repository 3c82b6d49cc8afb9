"""LikeRepository port: likes on tweets and comments."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.social import Like, TargetType


class LikeRepository(Protocol):
    """At most one like per (user, target). Joins the unit of work; a down store raises
    Unavailable."""

    @abstractmethod
    def add(self, like: Like) -> bool:
        """Store the like; False (and no change) when this user already likes the target.
        Of concurrent adds of one like exactly one answers True."""

    @abstractmethod
    def remove(self, user_id: int, target_type: TargetType, target_id: int) -> bool:
        """Delete the like; False when there was none. Of concurrent removals of one like
        exactly one answers True."""

    @abstractmethod
    def get(self, user_id: int, target_type: TargetType, target_id: int) -> Like | None:
        """The like, or None."""

    @abstractmethod
    def liked_ids(
        self, user_id: int, target_type: TargetType, target_ids: Sequence[int]
    ) -> set[int]:
        """Which of `target_ids` the user likes, in one round trip."""

    @abstractmethod
    def list_for(self, target_type: TargetType, target_id: int, limit: int) -> list[Like]:
        """The newest `limit` likes of a target, newest first."""

    @abstractmethod
    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        """Remove every like of the targets; how many went."""
