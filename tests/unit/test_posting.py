"""Posting: create with photos, idempotency, edit, delete."""

from __future__ import annotations

import pytest

from core.domain.errors import Forbidden, Invalid, NotFound
from core.domain.paging import Window
from tests.unit.harness import GIF, PNG, Harness


def test_a_new_tweet_is_in_its_authors_feed_at_once(h: Harness) -> None:
    author = h.user()
    tweet_id = h.post(author)
    assert h.feed_ids(author) == [tweet_id]


def test_a_tweet_reaches_followers_only_through_the_fanout_job(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    tweet_id = h.post(author)
    assert tweet_id not in h.feed_ids(reader)
    assert h.drain() >= 1
    assert tweet_id in h.feed_ids(reader)


def test_photos_keep_upload_order_and_are_served_at_their_urls(h: Harness) -> None:
    author = h.user()
    view, created = h.c.posting().post_tweet(author.id, "two photos", [GIF, PNG])
    assert created
    assert [p.content_type for p in view.tweet.photos] == ["image/gif", "image/png"]
    blobs = h.c.blobs()
    assert [blobs.get(p.key)[0] for p in view.tweet.photos] == [GIF, PNG]
    assert view.photo_urls == [blobs.url(p.key) for p in view.tweet.photos]


def test_ten_photos_are_refused_before_anything_is_stored(h: Harness) -> None:
    author = h.user()
    with pytest.raises(Invalid):
        h.c.posting().post_tweet(author.id, "too many photos", [PNG] * 10)
    assert h.feed_ids(author) == []


def test_a_retry_with_the_same_key_within_an_hour_returns_the_first_tweet(h: Harness) -> None:
    author = h.user()
    first, created = h.c.posting().post_tweet(author.id, "once only", idempotency_key="k1")
    again, created_again = h.c.posting().post_tweet(author.id, "once only", idempotency_key="k1")
    assert created and not created_again
    assert again.tweet.id == first.tweet.id
    assert h.feed_ids(author) == [first.tweet.id]


def test_an_idempotency_key_expires_after_an_hour(h: Harness) -> None:
    author = h.user()
    first, _ = h.c.posting().post_tweet(author.id, "once only", idempotency_key="k1")
    h.clock.advance(3601)
    later, created = h.c.posting().post_tweet(author.id, "once only", idempotency_key="k1")
    assert created and later.tweet.id != first.tweet.id


def test_idempotency_keys_are_per_user(h: Harness) -> None:
    one, two = h.user(), h.user()
    a, _ = h.c.posting().post_tweet(one.id, "same key here", idempotency_key="k")
    b, created = h.c.posting().post_tweet(two.id, "same key here", idempotency_key="k")
    assert created and a.tweet.id != b.tweet.id


def test_editing_sets_edited_at_and_only_the_author_may(h: Harness) -> None:
    author, other = h.user(), h.user()
    tweet_id = h.post(author)
    with pytest.raises(Forbidden):
        h.c.posting().edit_tweet(other.id, tweet_id, "not mine to edit")
    h.clock.advance(5)
    view = h.c.posting().edit_tweet(author.id, tweet_id, "edited text")
    assert view.tweet.content == "edited text"
    assert view.tweet.edited_at == h.clock.now()
    assert h.c.posting().get_tweet(None, tweet_id).view.tweet.content == "edited text"


def test_deleting_removes_the_tweet_from_every_feed_with_its_comments_likes_and_photos(
    h: Harness,
) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    view, _ = h.c.posting().post_tweet(author.id, "short lived", [PNG])
    tweet_id = view.tweet.id
    h.drain()
    comment = h.c.comments().add_comment(reader.id, tweet_id, "nice")
    h.c.likes().like(reader.id, "tweet", tweet_id)
    assert h.c.notifications().unread_count(author.id) == 3  # cached from here on
    h.c.posting().delete_tweet(author.id, tweet_id)
    h.drain()
    assert tweet_id not in h.feed_ids(reader) and tweet_id not in h.feed_ids(author)
    with pytest.raises(NotFound):
        h.c.posting().get_tweet(None, tweet_id)
    with pytest.raises(NotFound):
        h.c.comments().get_comment(None, comment.comment.id)
    with pytest.raises(Invalid) as err:
        h.c.likes().like(reader.id, "tweet", tweet_id)
    assert "object_id" in err.value.errors
    assert h.c.blobs().get(view.tweet.photos[0].key) is None
    notes = h.c.notifications().list_notifications(author.id, Window()).results
    assert [n.notification.verb.value for n in notes] == ["followed you"]
    assert h.c.notifications().unread_count(author.id) == 1


def test_only_the_author_deletes(h: Harness) -> None:
    author, other = h.user(), h.user()
    tweet_id = h.post(author)
    with pytest.raises(Forbidden):
        h.c.posting().delete_tweet(other.id, tweet_id)


def test_listing_a_users_tweets_is_newest_first_and_empty_for_unknown_users(h: Harness) -> None:
    author = h.user()
    ids = [h.post(author, f"tweet number {i}") for i in range(3)]
    page = h.c.posting().list_user_tweets(None, author.id, Window())
    assert [v.tweet.id for v in page.results] == ids[::-1]
    assert h.c.posting().list_user_tweets(None, 999, Window()).results == []


def test_a_tweet_shows_its_comments_oldest_first_and_likes_newest_first(h: Harness) -> None:
    author, a, b = h.user(), h.user(), h.user()
    tweet_id = h.post(author)
    h.c.comments().add_comment(a.id, tweet_id, "first")
    h.c.comments().add_comment(b.id, tweet_id, "second")
    h.c.likes().like(a.id, "tweet", tweet_id)
    h.c.likes().like(b.id, "tweet", tweet_id)
    detail = h.c.posting().get_tweet(a.id, tweet_id)
    assert [c.comment.content for c in detail.comments] == ["first", "second"]
    assert [lk.user.id for lk in detail.likes] == [b.id, a.id]
    assert (detail.view.tweet.comments_count, detail.view.tweet.likes_count) == (2, 2)
    assert detail.view.has_liked


def test_a_broker_client_that_breaks_after_commit_neither_fails_the_post_nor_loses_the_job(
    h: Harness,
) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)

    def broken_client() -> None:
        raise IndexError("pop from an empty deque")  # a driver's own bug, not Unavailable

    h.queue.before("enqueue", broken_client)
    tweet_id = h.post(author)  # answered: the tweet is committed
    assert h.queue.jobs == []  # nothing was published ...
    assert h.c.dispatcher().relay() == 1  # ... the outbox still had it
    h.drain()
    assert tweet_id in h.feed_ids(reader)
