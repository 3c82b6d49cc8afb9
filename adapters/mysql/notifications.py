"""SqlNotificationRepository: notifications by recipient in the `notifications` table."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore, windowed
from adapters.mysql.tables import notifications
from core.domain.paging import Window
from core.domain.social import Notification, TargetType
from core.ports.notification_repository import NotificationRepository

_mine = notifications.c.recipient_id


class SqlNotificationRepository(SqlStore, NotificationRepository):
    """Notifications paged by id; unread counts come from an index, not a scan."""

    def add(self, notification: Notification) -> None:
        self._run(sa.insert(notifications).values(rows.notification_values(notification)))

    def get(self, notification_id: int) -> Notification | None:
        row = self._first(sa.select(notifications).where(notifications.c.id == notification_id))
        return rows.notification_from(row) if row else None

    def update(self, notification: Notification) -> None:
        self._run(
            sa.update(notifications)
            .where(notifications.c.id == notification.id)
            .values(unread=notification.unread)
        )

    def list_for(
        self, recipient_id: int, window: Window, unread: bool | None = None
    ) -> list[Notification]:
        stmt = sa.select(notifications).where(_mine == recipient_id)
        if unread is not None:
            stmt = stmt.where(notifications.c.unread == unread)
        stmt = windowed(stmt, notifications.c.id, window)
        return [rows.notification_from(r) for r in self._rows(stmt)]

    def unread_count(self, recipient_id: int) -> int:
        stmt = (
            sa.select(sa.func.count())
            .select_from(notifications)
            .where(_mine == recipient_id, notifications.c.unread == sa.true())
        )
        return int(self._column(stmt)[0])

    def mark_all_read(self, recipient_id: int) -> int:
        result = self._run(
            sa.update(notifications)
            .where(_mine == recipient_id, notifications.c.unread == sa.true())
            .values(unread=False)
        )
        return result.rowcount

    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        if not target_ids:
            return 0
        result = self._run(
            sa.delete(notifications).where(
                notifications.c.target_type == target_type.value,
                notifications.c.target_id.in_(set(target_ids)),
            )
        )
        return result.rowcount
