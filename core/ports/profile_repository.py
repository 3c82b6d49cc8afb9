"""ProfileRepository port: nicknames and avatars."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.users import Profile


class ProfileRepository(Protocol):
    """Profiles keyed by user id. Joins the unit of work; a down store raises Unavailable."""

    @abstractmethod
    def add(self, profile: Profile) -> None:
        """Store the profile of a new user."""

    @abstractmethod
    def get(self, user_id: int) -> Profile | None:
        """The profile, or None."""

    @abstractmethod
    def get_many(self, user_ids: Sequence[int]) -> list[Profile]:
        """The profiles that exist among `user_ids`, in the requested order."""

    @abstractmethod
    def update(self, profile: Profile) -> None:
        """Save nickname, avatar and updated_at."""

    @abstractmethod
    def named_avatar_keys(self, keys: Sequence[str]) -> set[str]:
        """Which of `keys` a stored profile has as its avatar, in one round trip (none for
        none)."""
