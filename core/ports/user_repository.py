"""UserRepository port: accounts."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.paging import Window
from core.domain.users import User


class UserRepository(Protocol):
    """Accounts by id and by username. Joins the unit of work; a down store raises Unavailable."""

    @abstractmethod
    def add(self, user: User) -> None:
        """Store a new user; a taken username or email raises Conflict naming that field."""

    @abstractmethod
    def get(self, user_id: int) -> User | None:
        """The user, or None when there is none."""

    @abstractmethod
    def get_by_username(self, username: str) -> User | None:
        """The user with this (lower-case) username, or None."""

    @abstractmethod
    def get_many(self, user_ids: Sequence[int]) -> list[User]:
        """The users that exist among `user_ids`, in the requested order, without repeats."""

    @abstractmethod
    def update(self, user: User) -> None:
        """Save the flags of an existing user (is_active, is_admin)."""

    @abstractmethod
    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        """Replace a user's password hash (an unknown id changes nothing; idempotent)."""

    @abstractmethod
    def list_all(self, window: Window) -> list[User]:
        """Users by id inside `window`, in the window's order, at most `window.fetch`."""

    @abstractmethod
    def set_celebrity(self, user_id: int, celebrity: bool) -> None:
        """Mark or unmark a user as too widely followed to fan out (idempotent)."""

    @abstractmethod
    def celebrity_ids(self) -> list[int]:
        """Every user marked as a celebrity, in id order."""
