"""Fan-out: batches, idempotency, the celebrity (hybrid) rule."""

from __future__ import annotations

from container import build_container
from core.domain.feed import JobKind
from core.domain.paging import Window
from settings import Settings
from tests.unit.harness import Harness


def harness(**settings: int) -> Harness:
    return Harness(build_container(Settings(profile="memory", **settings)))  # type: ignore[arg-type]


def test_followers_are_split_into_batches_of_the_configured_size() -> None:
    h = harness(fanout_batch=2)
    author = h.user()
    readers = [h.user() for _ in range(5)]
    for reader in readers:
        h.follow(reader, author)
    tweet_id = h.post(author)
    ran: list[JobKind] = []
    h.queue.drain(lambda job: (ran.append(job.kind), h.c.fanout().run(job)))
    assert ran.count(JobKind.FANOUT_BATCH) == 3
    assert all(tweet_id in h.feed_ids(r) for r in readers)


def test_a_redelivered_batch_changes_nothing(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    tweet_id = h.post(author)
    seen = []
    h.queue.drain(lambda job: (seen.append(job), h.c.fanout().run(job)))
    for job in seen:
        h.c.fanout().run(job)
        h.drain()
    assert h.feed_ids(reader) == [tweet_id]


def test_authors_over_the_threshold_are_not_pushed_but_merged_at_read_time() -> None:
    h = harness(celebrity_threshold=2)
    star = h.user()
    fans = [h.user() for _ in range(3)]
    for fan in fans:
        h.follow(fan, star)
    tweet_id = h.post(star)
    h.drain()
    with h.c.uow_factory()() as uow:
        assert uow.feeds.tweet_ids(fans[0].id, Window()) == []
    assert all(h.feed_ids(fan) == [tweet_id] for fan in fans)


def test_a_celebritys_tweets_are_merged_in_order_without_duplicates() -> None:
    h = harness(celebrity_threshold=1)
    star, friend, fan, other_fan = h.user(), h.user(), h.user(), h.user()
    h.follow(fan, friend)
    old = h.post(star, "before stardom")  # backfilled when followed
    h.follow(fan, star)
    h.follow(other_fan, star)
    mine = h.post(fan, "my own words")
    pushed = h.post(friend, "friend speaks")
    merged = h.post(star, "celebrity speaks")
    h.drain()
    assert h.feed_ids(fan) == [merged, pushed, mine, old]


def test_a_batch_for_a_tweet_deleted_meanwhile_writes_nothing(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    tweet_id = h.post(author)
    h.c.posting().delete_tweet(author.id, tweet_id)
    h.drain()
    with h.c.uow_factory()() as uow:
        assert uow.feeds.tweet_ids(reader.id, Window()) == []
