"""Comments, likes and notifications."""

from __future__ import annotations

import pytest

from adapters.memory import InMemoryCounters
from core.domain.errors import Forbidden, Invalid, NotFound
from core.domain.paging import Window
from core.domain.social import Verb
from tests.unit.harness import Harness


def test_commenting_on_an_unknown_tweet_names_tweet_id(h: Harness) -> None:
    with pytest.raises(Invalid) as err:
        h.c.comments().add_comment(h.user().id, 777, "hello")
    assert "tweet_id" in err.value.errors


def test_comments_count_follows_adds_and_deletes(h: Harness) -> None:
    author, other = h.user(), h.user()
    tweet_id = h.post(author)
    c1 = h.c.comments().add_comment(other.id, tweet_id, "one")
    h.c.comments().add_comment(other.id, tweet_id, "two")
    h.c.comments().delete_comment(other.id, c1.comment.id)
    assert h.c.posting().get_tweet(None, tweet_id).view.tweet.comments_count == 1


def test_only_the_comment_author_edits_and_only_the_text_changes(h: Harness) -> None:
    author, other = h.user(), h.user()
    tweet_id = h.post(author)
    made = h.c.comments().add_comment(other.id, tweet_id, "first words")
    with pytest.raises(Forbidden):
        h.c.comments().edit_comment(author.id, made.comment.id, "hijack")
    with pytest.raises(Forbidden):
        h.c.comments().delete_comment(author.id, made.comment.id)
    h.clock.advance(3)
    edited = h.c.comments().edit_comment(other.id, made.comment.id, "second words")
    assert edited.comment.content == "second words"
    assert edited.comment.tweet_id == tweet_id
    assert edited.comment.updated_at > edited.comment.created_at


def test_comments_list_oldest_first_and_continue_to_newer(h: Harness) -> None:
    author = h.user()
    tweet_id = h.post(author)
    made = [h.c.comments().add_comment(author.id, tweet_id, f"c{i}").comment.id for i in range(5)]
    first = h.c.comments().list_comments(None, tweet_id, Window.oldest(limit=3))
    rest = h.c.comments().list_comments(
        None, tweet_id, Window.oldest(limit=3, cursor=first.next_cursor)
    )
    assert [c.comment.id for c in first.results + rest.results] == made


def test_liking_twice_keeps_one_like_and_one_notification(h: Harness) -> None:
    author, fan = h.user(), h.user()
    tweet_id = h.post(author)
    _, created = h.c.likes().like(fan.id, "tweet", tweet_id)
    _, again = h.c.likes().like(fan.id, "tweet", tweet_id)
    assert (created, again) == (True, False)
    assert h.c.posting().get_tweet(None, tweet_id).view.tweet.likes_count == 1
    assert h.c.notifications().unread_count(author.id) == 1


def test_cancelling_a_like_never_drives_the_count_negative(h: Harness) -> None:
    author, fan = h.user(), h.user()
    tweet_id = h.post(author)
    h.c.likes().like(fan.id, "tweet", tweet_id)
    assert h.c.likes().cancel(fan.id, "tweet", tweet_id) == 1
    assert h.c.likes().cancel(fan.id, "tweet", tweet_id) == 0
    assert h.c.posting().get_tweet(None, tweet_id).view.tweet.likes_count == 0


def test_likes_on_comments_count_and_notify_the_comment_author(h: Harness) -> None:
    author, commenter, fan = h.user(), h.user(), h.user()
    tweet_id = h.post(author)
    comment = h.c.comments().add_comment(commenter.id, tweet_id, "likeable")
    h.c.likes().like(fan.id, "comment", comment.comment.id)
    view = h.c.comments().get_comment(fan.id, comment.comment.id)
    assert view.comment.likes_count == 1 and view.has_liked
    notes = h.c.notifications().list_notifications(commenter.id, Window()).results
    assert [n.notification.verb for n in notes] == [Verb.LIKED_COMMENT]


@pytest.mark.parametrize(
    "content_type,object_id,field",
    [
        ("photo", 1, "content_type"),
        ("tweet", 999, "object_id"),
        ("comment", 999, "object_id"),
    ],
)
def test_bad_like_targets_name_the_field(
    h: Harness, content_type: str, object_id: int, field: str
) -> None:
    with pytest.raises(Invalid) as err:
        h.c.likes().like(h.user().id, content_type, object_id)
    assert field in err.value.errors


def test_nobody_is_notified_of_their_own_actions(h: Harness) -> None:
    author = h.user()
    tweet_id = h.post(author)
    h.c.comments().add_comment(author.id, tweet_id, "talking to myself")
    h.c.likes().like(author.id, "tweet", tweet_id)
    assert h.c.notifications().unread_count(author.id) == 0


def test_each_verb_notifies_with_its_target(h: Harness) -> None:
    author, fan = h.user(), h.user()
    tweet_id = h.post(author)
    h.follow(fan, author)
    h.c.comments().add_comment(fan.id, tweet_id, "hi")
    h.c.likes().like(fan.id, "tweet", tweet_id)
    notes = h.c.notifications().list_notifications(author.id, Window()).results
    got = [
        (
            n.notification.verb,
            n.notification.target_type.value,
            n.notification.target_id,
            n.actor.id,
        )
        for n in notes
    ]
    assert got == [
        (Verb.LIKED_TWEET, "tweet", tweet_id, fan.id),
        (Verb.COMMENTED, "tweet", tweet_id, fan.id),
        (Verb.FOLLOWED, "user", fan.id, fan.id),
    ]


def test_unread_count_mark_all_and_mark_one(h: Harness) -> None:
    author, fan = h.user(), h.user()
    tweet_id = h.post(author)
    h.c.likes().like(fan.id, "tweet", tweet_id)
    h.follow(fan, author)
    service = h.c.notifications()
    assert service.unread_count(author.id) == 2
    assert service.mark_all_read(author.id) == 2
    assert service.unread_count(author.id) == 0
    note = service.list_notifications(author.id, Window()).results[0].notification
    assert service.mark(author.id, note.id, unread=True).notification.unread
    assert service.unread_count(author.id) == 1
    unread = service.list_notifications(author.id, Window(), unread=True).results
    assert [n.notification.id for n in unread] == [note.id]


def test_an_unread_count_read_just_before_a_new_notification_is_not_cached_short(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Forces the fill-vs-invalidation race: a follow commits and drops the count after the
    reader counted 1 and before it caches that 1 (NotificationService's rule)."""
    author, fan, late = h.user(), h.user(), h.user()
    h.follow(fan, author)
    original = InMemoryCounters.fill

    def notified_first(counters: InMemoryCounters, *args: object) -> None:
        monkeypatch.setattr(InMemoryCounters, "fill", original)
        h.follow(late, author)  # commits, then drops the count
        original(counters, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(InMemoryCounters, "fill", notified_first)
    service = h.c.notifications()
    assert service.unread_count(author.id) == 1  # counted before the second follow
    assert service.unread_count(author.id) == 2


def test_someone_elses_notification_is_not_found(h: Harness) -> None:
    author, fan = h.user(), h.user()
    h.follow(fan, author)
    note = h.c.notifications().list_notifications(author.id, Window()).results[0]
    with pytest.raises(NotFound):
        h.c.notifications().mark(fan.id, note.notification.id, unread=False)
