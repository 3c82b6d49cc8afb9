"""Fan-out written a chunk at a time, with a pause between chunks (the embedded server's)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from core.domain.feed import Job, JobKind
from core.domain.users import User
from core.services.fanout import FanoutService
from tests.unit.harness import Harness


def chunked(h: Harness, pause: Callable[[], object]) -> FanoutService:
    c = h.c
    return FanoutService(
        uow_factory=c.uow_factory(), ids=c.ids(), queue=h.queue, lists=c.list_cache(),
        batch_size=5, chunk=2, pause=pause,
    )  # fmt: skip


def fans(h: Harness, author: User, n: int) -> list[User]:
    readers = [h.user() for _ in range(n)]
    for reader in readers:
        h.follow(reader, author)
    return readers


def test_a_batch_reaches_every_reader_a_chunk_at_a_time_pausing_between(h: Harness) -> None:
    author = h.user()
    readers = fans(h, author, 5)
    pauses: list[int] = []
    fanout = chunked(h, lambda: pauses.append(1))
    tweet_id = h.post(author)
    h.queue.drain(fanout.run)
    assert all(h.feed_ids(r) == [tweet_id] for r in readers)
    assert len(pauses) == 3  # after the split's page, and between chunks of 2, 2 and 1


def test_a_reader_who_unfollows_between_two_chunks_gets_nothing(h: Harness) -> None:
    author = h.user()
    readers = fans(h, author, 4)
    late = readers[3]  # in the second chunk
    fanout = chunked(h, lambda: h.c.following().unfollow(late.id, author.id))
    tweet_id = h.post(author)
    h.queue.drain(fanout.run)
    assert all(h.feed_ids(r) == [tweet_id] for r in readers[:3])
    assert h.feed_ids(late) == []


def test_a_batch_that_dies_between_chunks_is_completed_by_its_redelivery(h: Harness) -> None:
    author = h.user()
    readers = fans(h, author, 5)
    tweet_id = h.post(author)
    split = h.queue.jobs
    assert len(split) == 1 and split[0].kind is JobKind.FANOUT
    h.queue.drain(lambda job: None)
    chunked(h, lambda: None).run(split[0])  # queues the one batch of 5
    (batch,) = h.queue.jobs

    def crash() -> None:
        raise SystemExit("the process died after the first chunk")

    with pytest.raises(SystemExit):
        h.queue.drain(chunked(h, crash).run)
    assert [bool(h.feed_ids(r)) for r in readers] == [True, True, False, False, False]
    chunked(h, lambda: None).run(batch)  # redelivered (its lease ran out)
    assert all(h.feed_ids(r) == [tweet_id] for r in readers)


def test_a_retraction_removes_the_tweet_from_every_chunk(h: Harness) -> None:
    author = h.user()
    readers = fans(h, author, 5)
    fanout = chunked(h, lambda: None)
    tweet_id = h.post(author)
    h.queue.drain(fanout.run)
    h.c.posting().delete_tweet(author.id, tweet_id)
    kinds: list[JobKind] = []

    def run(job: Job) -> None:
        kinds.append(job.kind)
        fanout.run(job)

    h.queue.drain(run)
    assert kinds == [JobKind.RETRACT, JobKind.RETRACT_BATCH]
    assert all(h.feed_ids(r) == [] for r in readers)
