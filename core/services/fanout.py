"""Fan-out: pushing a new tweet into its author's followers' newsfeeds (and taking it back)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

from core.domain.events import (
    StreamEvent,
    author_channel,
    delete_event,
    feed_channel,
    tweet_event,
)
from core.domain.feed import MIRROR_KINDS, FeedItem, Job, JobKind
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator
from core.ports.list_cache import ListCache
from core.ports.metrics import Metrics
from core.ports.publisher import Publisher
from core.ports.task_queue import TaskQueue
from core.ports.unit_of_work import UnitOfWork
from core.services import context

if TYPE_CHECKING:  # mirror.py imports feed_key from here
    from core.services.mirror import StoreMirror

log = logging.getLogger("chirp.jobs")


def feed_key(reader_id: int) -> str:
    """The list-cache key of a reader's newsfeed."""
    return f"feed:{reader_id}"


class FanoutService:
    """Runs the background jobs of the push model.

    - A FANOUT job splits the author's followers into batches (default 1000) and queues one
      FANOUT_BATCH job each; batches run in parallel on any worker.
    - A batch writes one feed entry per (reader, tweet), idempotently, so a redelivered job
      changes nothing; then it pushes the id onto the readers' cached lists that exist.
    - An author with more followers than the threshold (default 10000) is not pushed: they
      are marked a celebrity and readers merge their tweets at read time (hybrid).
    - RETRACT undoes a deleted tweet the same way, batch by batch.
    - A follow racing a new tweet of its followee: the follower gets the tweet from the
      follow's backfill or from the fan-out, never from neither. Rule: the split's read of
      followers waits for a follow still being written (`follower_ids`), so an edge
      written before the split is seen once it commits; an edge written after it was
      written after the tweet committed, and the follow's backfill, read after its edge,
      sees the tweet. The same rule keeps a retraction from missing a new follower whose
      backfill read the tweet before it went.
    - A batch for a tweet deleted meanwhile writes nothing; nor for a reader who unfollowed
      since the split (the batch's read of the edges holds them, so an unfollow racing it
      lands wholly before it or wholly after, removing what the batch wrote).
    - While feeds are mirrored, a batch and a retraction record a mirror job in their own
      commit; the mirror jobs run here too. Followers are always read from SQL: it is
      written for every follow whatever the gates say, while the second store may still be
      part-way through its backfill (reading it would skip followers not yet copied).
    - A job runs with its request id bound (its log lines carry it) and each batch job
      copies its parent's. A delivered batch measures its lag: now minus the tweet's time.
    - Live streams are told after the commit that made it true (best effort, one publish
      per batch): a batch's readers on their feed channels; the author on their own (their
      entry was written with the tweet); a celebrity's followers on the author's channel,
      which their streams listen on. A deletion is told to the author, the author's
      channel and each retracted batch. A redelivered batch tells again: streams drop ids
      they already sent.
    - A batch writes (or retracts) its readers `chunk` at a time, each chunk in its own
      commit with its own read of the edges, and calls `pause` between chunks and between
      the split's pages. Why: on the embedded server the jobs run in the request process
      and SQLite calls never yield, so a whole batch would hold every request (and the
      write turn) for its full length; a pause that lets requests go first bounds a
      request's wait to one chunk. Rule: chunks are idempotent like batches, so a batch
      that dies part-way (a crash, a lost lease) leaves whole chunks behind and its
      redelivery rewrites them and writes the rest; an unfollow between two chunks is
      seen by the later chunk's read (the edge rule above holds per chunk).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        ids: IdGenerator,
        queue: TaskQueue,
        lists: ListCache,
        *,
        batch_size: int = 1000,
        celebrity_threshold: int = 10000,
        feed_cap: int = 800,
        mirror: StoreMirror | None = None,
        clock: Clock | None = None,
        metrics: Metrics | None = None,
        publisher: Publisher | None = None,
        chunk: int | None = None,
        pause: Callable[[], object] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._ids = ids
        self._queue = queue
        self._lists = lists
        self._batch_size = batch_size
        self._threshold = celebrity_threshold
        self._cap = feed_cap
        self._mirror = mirror
        self._clock = clock
        self._metrics = metrics
        self._publisher = publisher
        self._chunk = chunk or batch_size
        self._pause = pause

    def outbox_depth(self) -> int:
        """How many recorded jobs wait in the outbox to be published."""
        with self._uow_factory() as uow:
            return uow.outbox.count()

    def run(self, job: Job) -> None:
        """Execute one job (the entry point of every worker)."""
        handlers: dict[JobKind, Callable[[Job], None]] = {
            JobKind.FANOUT: self._split_fanout,
            JobKind.FANOUT_BATCH: self._push_batch,
            JobKind.RETRACT: self._split_retract,
            JobKind.RETRACT_BATCH: self._retract_batch,
        }
        if self._mirror is not None:
            handlers.update(dict.fromkeys(MIRROR_KINDS, self._mirror.run))
        with context.bound(job.request_id):
            log.info("job %d %s tweet %d", job.id, job.kind.value, job.tweet_id)
            handlers[job.kind](job)

    def _split_fanout(self, job: Job) -> None:
        event = tweet_event(job.tweet_id)
        if self._mark_celebrity_if_needed(job.author_id):
            self._tell([feed_channel(job.author_id), author_channel(job.author_id)], event)
            return
        self._tell([feed_channel(job.author_id)], event)
        self._split(job, JobKind.FANOUT_BATCH)

    def _tell(self, channels: Sequence[str], event: StreamEvent) -> None:
        if self._publisher is not None:
            self._publisher.publish_many((channel, event) for channel in channels)

    def _mark_celebrity_if_needed(self, author_id: int) -> bool:
        # Reading threshold+1 ids bounds the cost where COUNT(*) would scan every follower.
        with self._uow_factory() as uow:
            sample = uow.follows.follower_ids(author_id, None, self._threshold + 1)
            celebrity = len(sample) > self._threshold
            uow.users.set_celebrity(author_id, celebrity)
            uow.commit()
        return celebrity

    def _split(self, job: Job, kind: JobKind) -> None:
        after: int | None = None
        while True:
            with self._uow_factory() as uow:
                batch = uow.follows.follower_ids(job.author_id, after, self._batch_size)
            if not batch:
                return
            self._queue.enqueue(
                [
                    Job(
                        id=self._ids.next_id(),
                        kind=kind,
                        tweet_id=job.tweet_id,
                        author_id=job.author_id,
                        reader_ids=tuple(batch),
                        request_id=job.request_id,
                    )
                ]
            )
            after = batch[-1]
            self._step_aside()

    def _push_batch(self, job: Job) -> None:
        created_at: datetime | None = None
        for part in self._chunks(job.reader_ids):
            created_at = self._push_chunk(job, part)
            if created_at is None:
                return  # the tweet was deleted meanwhile
        if created_at is not None:
            self._measure_lag(created_at)

    def _push_chunk(self, job: Job, reader_ids: tuple[int, ...]) -> datetime | None:
        """Write one chunk of a batch; the tweet's time, or None if it is gone."""
        with self._uow_factory() as uow:
            tweet = uow.tweets.get(job.tweet_id)
            if tweet is None:
                return None
            # Readers who unfollowed since the split are skipped; the read holds the edges,
            # so an unfollow racing this chunk waits and then removes what it wrote.
            following = uow.follows.followers_among(tweet.user_id, reader_ids)
            readers = tuple(r for r in reader_ids if r in following)
            uow.feeds.add_many(
                [
                    FeedItem(
                        reader_id=r,
                        tweet_id=tweet.id,
                        author_id=tweet.user_id,
                        created_at=tweet.created_at,
                    )
                    for r in readers
                ]
            )
            mirrored = self._record_mirror(uow, replace(job, reader_ids=readers))
            uow.commit()
        self._after_commit(mirrored)
        self._lists.push(self._keys(readers), job.tweet_id, self._cap)
        self._tell([feed_channel(r) for r in readers], tweet_event(job.tweet_id))
        return tweet.created_at

    def _chunks(self, reader_ids: Sequence[int]) -> Iterator[tuple[int, ...]]:
        """The readers `chunk` at a time, stepping aside between chunks."""
        for start in range(0, len(reader_ids), self._chunk):
            if start:
                self._step_aside()
            yield tuple(reader_ids[start : start + self._chunk])

    def _step_aside(self) -> None:
        if self._pause is not None:
            self._pause()

    def _measure_lag(self, created_at: datetime) -> None:
        if self._metrics is not None and self._clock is not None:
            self._metrics.fanout_lag((self._clock.now() - created_at).total_seconds())

    def _split_retract(self, job: Job) -> None:
        channels = [feed_channel(job.author_id), author_channel(job.author_id)]
        self._tell(channels, delete_event(job.tweet_id))
        self._split(job, JobKind.RETRACT_BATCH)

    def _retract_batch(self, job: Job) -> None:
        for part in self._chunks(job.reader_ids):
            chunk = replace(job, reader_ids=part)
            with self._uow_factory() as uow:
                uow.feeds.remove_tweet(job.tweet_id, part)
                mirrored = self._record_mirror(uow, chunk)
                uow.commit()
            self._after_commit(mirrored)
            self._lists.remove(self._keys(part), job.tweet_id)
            self._tell([feed_channel(r) for r in part], delete_event(job.tweet_id))

    def _record_mirror(self, uow: UnitOfWork, job: Job) -> list[Job]:
        if self._mirror is None:
            return []
        return self._mirror.record_feed_tweet(uow, job.tweet_id, job.author_id, job.reader_ids)

    def _after_commit(self, mirrored: list[Job]) -> None:
        if self._mirror is not None:
            self._mirror.after_commit(mirrored)

    @staticmethod
    def _keys(reader_ids: Sequence[int]) -> list[str]:
        return [feed_key(r) for r in reader_ids]
