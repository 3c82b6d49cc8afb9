"""In-memory notifications."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from adapters.memory.database import Bound, copied, in_window
from core.domain.errors import Conflict
from core.domain.paging import Window
from core.domain.social import Notification, TargetType
from core.ports.notification_repository import NotificationRepository


class InMemoryNotificationRepository(Bound, NotificationRepository):
    """Notifications by id, paged by id per recipient, filterable by the unread flag."""

    def add(self, notification: Notification) -> None:
        if notification.id in self.db.notifications:
            raise Conflict.on_field("id", "notification id is taken")
        self.db.notifications[notification.id] = copied(notification)

    def get(self, notification_id: int) -> Notification | None:
        found = self.db.notifications.get(notification_id)
        return copied(found) if found else None

    def update(self, notification: Notification) -> None:
        stored = self.db.notifications.get(notification.id)
        if stored is None:
            return  # like an SQL UPDATE that matches no row
        self.db.notifications[notification.id] = replace(stored, unread=notification.unread)

    def list_for(
        self, recipient_id: int, window: Window, unread: bool | None = None
    ) -> list[Notification]:
        mine = (
            n
            for n in self.db.notifications.values()
            if n.recipient_id == recipient_id and (unread is None or n.unread == unread)
        )
        return in_window(mine, lambda n: n.id, window)

    def unread_count(self, recipient_id: int) -> int:
        return sum(
            1 for n in self.db.notifications.values() if n.recipient_id == recipient_id and n.unread
        )

    def mark_all_read(self, recipient_id: int) -> int:
        table = self.db.notifications
        changed = [n for n in table.values() if n.recipient_id == recipient_id and n.unread]
        for stored in changed:
            table[stored.id] = replace(stored, unread=False)
        return len(changed)

    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        table, targets = self.db.notifications, set(target_ids)
        doomed = [
            i for i, n in table.items() if n.target_type == target_type and n.target_id in targets
        ]
        for notification_id in doomed:
            del table[notification_id]
        return len(doomed)
