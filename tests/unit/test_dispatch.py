"""Publishing a commit's jobs: exactly those at once, leftovers by the relay, races forced."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.feed import Job, JobKind
from core.services.posting import PostingService
from tests.unit.harness import Harness


def pending(h: Harness) -> list[Job]:
    with h.c.uow_factory()() as uow:
        jobs: list[Job] = uow.outbox.pending(100)
    return jobs


def posting_that_publishes_with(h: Harness, publish: object) -> PostingService:
    c = h.c
    return PostingService(
        uow_factory=c.uow_factory(), clock=c.clock(), ids=c.ids(), lookups=c.lookups(),
        media=c.media(), dispatcher=c.dispatcher(), lists=c.list_cache(),
        comments=c.comments(), notifier=c.notifier(), publish=publish,  # type: ignore[arg-type]
    )  # fmt: skip


def test_a_post_publishes_its_own_fanout_job_and_leaves_the_outbox_empty(h: Harness) -> None:
    author = h.user()
    tweet_id = h.post(author)
    assert [(j.kind, j.tweet_id) for j in h.queue.jobs] == [(JobKind.FANOUT, tweet_id)]
    assert pending(h) == []


def test_a_post_leaves_older_outbox_jobs_to_the_relay(h: Harness) -> None:
    author = h.user()
    h.queue.available = False
    first = h.post(author)  # the broker is down: its job stays recorded
    h.queue.available = True
    second = h.post(author)
    assert [j.tweet_id for j in h.queue.jobs] == [second]  # exactly the commit's own job
    assert [j.tweet_id for j in pending(h)] == [first]
    assert h.c.dispatcher().relay() == 1
    assert sorted(j.tweet_id for j in h.queue.jobs) == [first, second]


def test_a_process_that_dies_between_commit_and_publish_loses_no_fanout(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    lost: list[Sequence[Job]] = []  # a hand-off whose thread died with its process
    view, _ = posting_that_publishes_with(h, lost.append).post_tweet(author.id, "hello world")
    assert h.queue.jobs == [] and len(pending(h)) == 1
    assert h.c.dispatcher().relay() == 1  # the relay loop of any process, later
    h.drain()
    assert view.tweet.id in h.feed_ids(reader)
    assert pending(h) == []


def test_a_relay_racing_the_posts_own_publish_sends_the_job_twice_and_fans_out_once(
    h: Harness,
) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    relayed: list[int] = []
    # The relay reads the row after the commit and before the request's publish marks it.
    h.queue.before("enqueue", lambda: relayed.append(h.c.dispatcher().relay()))
    tweet_id = h.post(author)
    assert relayed == [1]
    assert [j.tweet_id for j in h.queue.jobs] == [tweet_id, tweet_id]  # at least once
    assert pending(h) == []  # the second mark found nothing left to forget
    h.drain()
    assert h.feed_ids(reader) == [tweet_id]


def test_two_relays_racing_for_one_job_fan_it_out_once(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    lost: list[Sequence[Job]] = []
    view, _ = posting_that_publishes_with(h, lost.append).post_tweet(author.id, "hello world")
    inner: list[int] = []
    h.queue.before("enqueue", lambda: inner.append(h.c.dispatcher().relay()))
    assert h.c.dispatcher().relay() == 1 and inner == [1]
    assert len(h.queue.jobs) == 2 and pending(h) == []
    h.drain()
    assert h.feed_ids(reader) == [view.tweet.id]


def test_a_publish_whose_mark_fails_leaves_the_job_for_the_relay_and_still_answers(
    h: Harness,
) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    lost: list[Sequence[Job]] = []
    view, _ = posting_that_publishes_with(h, lost.append).post_tweet(author.id, "hello world")
    db = h.c.backends.memory_db()
    h.queue.before("enqueue", lambda: setattr(db, "available", False))
    assert h.c.dispatcher().publish(lost[0]) == 1  # sent; the store went down before the mark
    db.available = True
    assert len(pending(h)) == 1  # still recorded: the relay sends it again
    assert h.c.dispatcher().relay() == 1
    h.drain()
    assert h.feed_ids(reader) == [view.tweet.id]


def test_a_deletion_publishes_its_retraction_at_once(h: Harness) -> None:
    author = h.user()
    tweet_id = h.post(author)
    h.drain()
    h.c.posting().delete_tweet(author.id, tweet_id)
    assert [(j.kind, j.tweet_id) for j in h.queue.jobs] == [(JobKind.RETRACT, tweet_id)]
    assert pending(h) == []
