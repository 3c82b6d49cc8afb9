"""NotificationRepository port: what happened to a user's things."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.paging import Window
from core.domain.social import Notification, TargetType


class NotificationRepository(Protocol):
    """Notifications by recipient. Joins the unit of work; a down store raises Unavailable."""

    @abstractmethod
    def add(self, notification: Notification) -> None:
        """Store a new notification."""

    @abstractmethod
    def get(self, notification_id: int) -> Notification | None:
        """The notification, or None."""

    @abstractmethod
    def update(self, notification: Notification) -> None:
        """Save the unread flag."""

    @abstractmethod
    def list_for(
        self, recipient_id: int, window: Window, unread: bool | None = None
    ) -> list[Notification]:
        """A recipient's notifications inside `window` (only unread or read ones when
        `unread` is given), in the window's order, at most fetch."""

    @abstractmethod
    def unread_count(self, recipient_id: int) -> int:
        """How many unread notifications the recipient has."""

    @abstractmethod
    def mark_all_read(self, recipient_id: int) -> int:
        """Mark every unread one read; how many changed."""

    @abstractmethod
    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        """Remove notifications pointing at the targets; how many went."""
