"""Contract of NotificationRepository: per-recipient lists, the unread flag and its counts."""

from __future__ import annotations

from core.domain.paging import Window
from core.domain.social import TargetType, Verb
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users
from tests.contract.windows import WindowCase, window_cases


def test_an_added_notification_reads_back_equal(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, actor = add_users(uow, make, 2)
        note = make.notification(
            me.id, actor.id, actor.id, verb=Verb.FOLLOWED, target_type=TargetType.USER
        )
        uow.notifications.add(note)
        assert uow.notifications.get(note.id) == note


def test_an_unknown_notification_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        assert uow.notifications.get(make.new_id()) is None


def test_update_saves_the_unread_flag_both_ways(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, actor = add_users(uow, make, 2)
        note = make.notification(me.id, actor.id, make.new_id())
        uow.notifications.add(note)
        note.mark_read()
        uow.notifications.update(note)
        assert uow.notifications.get(note.id) == note
        note.mark_unread()
        uow.notifications.update(note)
        assert uow.notifications.get(note.id) == note


@window_cases()
def test_list_for_pages_a_recipients_notifications_by_id(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        me, other, actor = add_users(uow, make, 3)
        ids = []
        for unread in (True, False, True, True, False):
            note = make.notification(me.id, actor.id, make.new_id(), unread=unread)
            uow.notifications.add(note)
            ids.append(note.id)
            uow.notifications.add(make.notification(other.id, actor.id, make.new_id()))
        listed = uow.notifications.list_for(me.id, case.window(ids))
        assert [n.id for n in listed] == case.expected(ids)


def test_list_for_filters_by_the_unread_flag(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, actor = add_users(uow, make, 2)
        notes = [
            make.notification(me.id, actor.id, make.new_id(), unread=u)
            for u in (True, False, True, False, False)
        ]
        for note in notes:
            uow.notifications.add(note)
        unread = uow.notifications.list_for(me.id, Window(), unread=True)
        read = uow.notifications.list_for(me.id, Window(), unread=False)
        assert unread == [notes[2], notes[0]]
        assert read == [notes[4], notes[3], notes[1]]


def test_the_unread_filter_respects_the_window(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, actor = add_users(uow, make, 2)
        notes = [
            make.notification(me.id, actor.id, make.new_id(), unread=u)
            for u in (True, True, False, True, True)
        ]
        for note in notes:
            uow.notifications.add(note)
        listed = uow.notifications.list_for(me.id, Window(limit=1, upper=notes[4].id), unread=True)
        assert [n.id for n in listed] == [notes[3].id, notes[1].id]


def test_unread_count_counts_only_the_recipients_unread_ones(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, other, actor = add_users(uow, make, 3)
        for unread in (True, False, True):
            uow.notifications.add(make.notification(me.id, actor.id, make.new_id(), unread=unread))
        uow.notifications.add(make.notification(other.id, actor.id, make.new_id()))
        assert uow.notifications.unread_count(me.id) == 2
        assert uow.notifications.unread_count(actor.id) == 0


def test_mark_all_read_counts_what_changed_and_leaves_others_alone(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        me, other, actor = add_users(uow, make, 3)
        for unread in (True, False, True):
            uow.notifications.add(make.notification(me.id, actor.id, make.new_id(), unread=unread))
        uow.notifications.add(make.notification(other.id, actor.id, make.new_id()))
        assert uow.notifications.mark_all_read(me.id) == 2
        assert uow.notifications.unread_count(me.id) == 0
        assert uow.notifications.list_for(me.id, Window(), unread=True) == []
        assert uow.notifications.mark_all_read(me.id) == 0
        assert uow.notifications.unread_count(other.id) == 1


def test_delete_for_removes_notifications_pointing_at_the_targets(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        me, actor = add_users(uow, make, 2)
        t1, t2 = add_tweets(uow, make, me.id, 2)
        for target in (t1, t1, t2):
            uow.notifications.add(make.notification(me.id, actor.id, target.id))
        on_comment = make.notification(
            me.id, actor.id, t1.id, verb=Verb.LIKED_COMMENT, target_type=TargetType.COMMENT
        )
        uow.notifications.add(on_comment)
        assert uow.notifications.delete_for(TargetType.TWEET, [t1.id]) == 2
        remaining = uow.notifications.list_for(me.id, Window())
        assert [(n.target_type, n.target_id) for n in remaining] == [
            (TargetType.COMMENT, t1.id),
            (TargetType.TWEET, t2.id),
        ]
        assert uow.notifications.delete_for(TargetType.TWEET, [t1.id]) == 0


def test_changing_a_returned_notification_does_not_change_the_store(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        me, actor = add_users(uow, make, 2)
        note = make.notification(me.id, actor.id, make.new_id())
        uow.notifications.add(note)
        returned = uow.notifications.get(note.id)
        assert returned is not None
        returned.mark_read()
        assert uow.notifications.unread_count(me.id) == 1
