"""Notifications: telling users what others did to their things."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from core.domain import ids as id_layout
from core.domain.errors import NotFound
from core.domain.events import notification_event, user_channel
from core.domain.paging import Page, Window, map_page, newest_first_page
from core.domain.social import Notification, TargetType, Verb
from core.ports.counters import Counters
from core.ports.id_generator import IdGenerator
from core.ports.publisher import Publisher
from core.ports.unit_of_work import UnitOfWork
from core.services.lookups import Lookups
from core.services.views import NotificationView

UNREAD_TTL = 300


def _unread_key(user_id: int) -> str:
    return f"unread:{user_id}"


class Notifier:
    """Records notifications inside the caller's transaction.

    - Nobody is notified of their own actions.
    - After the commit, `announce` drops the recipients' cached unread counts and tells
      their live streams (best effort: a stream that misses it replays nothing, the
      notification list and the unread count are the truth); `settle` only drops counts
      (for notifications removed).
    """

    def __init__(
        self, ids: IdGenerator, counters: Counters, publisher: Publisher | None = None
    ) -> None:
        self._ids = ids
        self._counters = counters
        self._publisher = publisher

    def record(
        self,
        uow: UnitOfWork,
        *,
        recipient_id: int,
        actor_id: int,
        verb: Verb,
        target_type: TargetType,
        target_id: int,
    ) -> Notification | None:
        """Add a notification unless it would be about oneself; the one added, if any."""
        if recipient_id == actor_id:
            return None
        note_id = self._ids.next_id()
        note = Notification(
            id=note_id,
            recipient_id=recipient_id,
            actor_id=actor_id,
            verb=verb,
            target_type=target_type,
            target_id=target_id,
            created_at=id_layout.time_of(note_id),
        )
        uow.notifications.add(note)
        return note

    def announce(self, notes: Iterable[Notification | None]) -> None:
        """After the commit that recorded `notes`: fresh unread counts, live streams told."""
        made = [n for n in notes if n is not None]
        self.settle(n.recipient_id for n in made)
        if self._publisher is not None and made:
            self._publisher.publish_many(
                (user_channel(n.recipient_id), notification_event(n.id)) for n in made
            )

    def settle(self, recipient_ids: Iterable[int | None]) -> None:
        keys = [_unread_key(r) for r in recipient_ids if r is not None]
        if keys:
            self._counters.delete_many(keys)


class NotificationService:
    """A user's own notifications.

    - Only the recipient sees or changes a notification; anyone else gets NotFound.
    - The unread count is cached and dropped on every change. Rule: it is cached under a
      lease taken before its read, so a change that commits and drops the count between
      the read and the cache write cancels that write (the fill-vs-invalidation race: the
      memcached-partition soak found a count left one short by it, before the rule).
    """

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], lookups: Lookups, counters: Counters
    ) -> None:
        self._uow_factory = uow_factory
        self._lookups = lookups
        self._counters = counters

    def list_notifications(
        self, recipient_id: int, window: Window, unread: bool | None = None
    ) -> Page[NotificationView]:
        with self._uow_factory() as uow:
            notes = uow.notifications.list_for(recipient_id, window, unread)
        page = newest_first_page(window, notes, key=lambda n: n.id)
        return map_page(page, self._views(page.results))

    def _views(self, notes: list[Notification]) -> list[NotificationView]:
        actors = self._lookups.summaries(n.actor_id for n in notes)
        return [
            NotificationView(notification=n, actor=actors[n.actor_id])
            for n in notes
            if n.actor_id in actors
        ]

    def unread_count(self, recipient_id: int) -> int:
        key = _unread_key(recipient_id)
        cached = self._counters.get_many([key])
        if key in cached:
            return cached[key]
        lease = self._counters.lease(key)  # before the read: a drop from now on cancels it
        with self._uow_factory() as uow:
            count = uow.notifications.unread_count(recipient_id)
        if lease:
            self._counters.fill(key, lease, count, UNREAD_TTL)
        return count

    def view(self, recipient_id: int, notification_id: int) -> NotificationView | None:
        """One of the recipient's notifications, None when it is not theirs or is gone."""
        with self._uow_factory() as uow:
            note = uow.notifications.get(notification_id)
        if note is None or note.recipient_id != recipient_id:
            return None
        views = self._views([note])
        return views[0] if views else None

    def mark_all_read(self, recipient_id: int) -> int:
        with self._uow_factory() as uow:
            marked = uow.notifications.mark_all_read(recipient_id)
            uow.commit()
        self._counters.delete_many([_unread_key(recipient_id)])
        return marked

    def mark(self, recipient_id: int, notification_id: int, unread: bool) -> NotificationView:
        with self._uow_factory() as uow:
            note = uow.notifications.get(notification_id)
            if note is None or note.recipient_id != recipient_id:
                raise NotFound("no such notification")
            note.mark_unread() if unread else note.mark_read()
            uow.notifications.update(note)
            uow.commit()
        self._counters.delete_many([_unread_key(recipient_id)])
        views = self._views([note])
        if not views:
            raise NotFound("no such notification")
        return views[0]
