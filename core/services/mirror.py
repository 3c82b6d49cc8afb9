"""StoreMirror: keeps the second follow and feed stores equal to SQL, key by key."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence

from core.domain.errors import Unavailable
from core.domain.feed import FeedItem, Job, JobKind
from core.domain.social import Follow
from core.ports.feed_store import FeedStore
from core.ports.follow_store import FollowStore
from core.ports.id_generator import IdGenerator
from core.ports.list_cache import ListCache
from core.ports.migration_source import MigrationSource, Pair
from core.ports.unit_of_work import UnitOfWork
from core.services.fanout import feed_key
from core.services.stores import StoreRouter

log = logging.getLogger("chirp.mirror")
NO_TWEET = 0  # the tweet_id of mirror jobs that are not about one tweet


class KeptChanging(Exception):
    """SQL changed under the mirror every round; the job is retried later."""


class StoreMirror:
    """Copies SQL's truth for named keys to the second stores (dual write, second half).

    - A write that needs mirroring records a mirror job in the outbox in its own commit
      (`record_*`), so an outage of the second store loses nothing: the SQL side commits and
      the job waits. Right after the commit the caller tries the job once (`after_commit`),
      so a gated user reads their own write at once; when that lands its outbox row goes,
      otherwise the relay publishes it and the worker retries it with back-off until it
      lands, or dead-letters it after its attempts (`chirp jobs dead`, `chirp jobs retry`).
    - A job names keys, not values: it reads SQL's committed truth for them and writes that
      (put or delete). Running it twice changes nothing, and a late run writes what SQL holds
      when it runs, never the state of when it was recorded.
    - Write, then check: after writing, the mirror reads SQL again and rewrites every key
      that changed meanwhile. So the last write of any key was followed by a read that found
      SQL still agreeing; a slow writer that read before a newer commit and wrote after the
      newer job finished corrects itself. (A later SQL change brings its own job, which
      writes later still.) The backfill writes through the same rule.
    - Replacing one author's entries in one reader's feed is a delete then an add; a feed
      rebuilt between the two would miss them, so that reader's cached list is dropped
      after the add (which also cancels a rebuild in flight).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        source: MigrationSource,
        stores: StoreRouter,
        ids: IdGenerator,
        lists: ListCache,
        *,
        rounds: int = 5,
    ) -> None:
        self._uow_factory = uow_factory
        self._source = source
        self._stores = stores
        self._ids = ids
        self._lists = lists
        self._rounds = rounds

    def record_follows(self, uow: UnitOfWork, follower_id: int, followee_id: int) -> list[Job]:
        """In the writer's open unit of work: a job for one edge, if follows are mirrored."""
        if not self._stores.mirrors_follows():
            return []
        return [self._record(uow, JobKind.MIRROR_FOLLOWS, NO_TWEET, followee_id, [follower_id])]

    def record_feed_tweet(
        self, uow: UnitOfWork, tweet_id: int, author_id: int, reader_ids: Sequence[int]
    ) -> list[Job]:
        """A job for one tweet's entries in some readers' feeds, if feeds are mirrored."""
        if not reader_ids or not self._stores.mirrors_feeds():
            return []
        return [self._record(uow, JobKind.MIRROR_FEED_TWEET, tweet_id, author_id, reader_ids)]

    def record_feed_author(self, uow: UnitOfWork, reader_id: int, author_id: int) -> list[Job]:
        """A job for one author's entries in one reader's feed, if feeds are mirrored."""
        if not self._stores.mirrors_feeds():
            return []
        return [self._record(uow, JobKind.MIRROR_FEED_AUTHOR, NO_TWEET, author_id, [reader_id])]

    def _record(
        self, uow: UnitOfWork, kind: JobKind, tweet_id: int, author_id: int, readers: Sequence[int]
    ) -> Job:
        job = Job(
            id=self._ids.next_id(),
            kind=kind,
            tweet_id=tweet_id,
            author_id=author_id,
            reader_ids=tuple(readers),
        )
        uow.outbox.add(job)
        return job

    def after_commit(self, jobs: Sequence[Job]) -> None:
        """Try committed mirror jobs now; those that land leave the outbox, the first that
        cannot (a store down) stops the attempt and leaves the rest to the worker."""
        landed = []
        for job in jobs:
            try:
                self.run(job)
            except (Unavailable, KeptChanging) as exc:
                log.warning("mirror job %s (%s) left to the worker: %s", job.id, job.kind, exc)
                break
            landed.append(job.id)
        if not landed:
            return
        try:
            with self._uow_factory() as uow:
                uow.outbox.mark_published(landed)
                uow.commit()
        except Unavailable as exc:  # the relay publishes them; running them again is harmless
            log.warning("landed mirror jobs stay in the outbox: %s", exc.message)

    def run(self, job: Job) -> None:
        """Run one mirror job (from the worker, or right after its commit)."""
        if job.kind is JobKind.MIRROR_FOLLOWS:
            self.sync_follows([(reader, job.author_id) for reader in job.reader_ids])
        elif job.kind is JobKind.MIRROR_FEED_TWEET:
            self.sync_feed_items([(reader, job.tweet_id) for reader in job.reader_ids])
        elif job.kind is JobKind.MIRROR_FEED_AUTHOR:
            for reader in job.reader_ids:
                self.sync_feed_author(reader, job.author_id)
        else:
            raise ValueError(f"not a mirror job: {job.kind}")

    def sync_follows(
        self, pairs: Sequence[Pair], known: Mapping[Pair, Follow] | None = None
    ) -> None:
        """Make the second store's (follower, followee) edges SQL's; `known`: SQL's edges for
        `pairs` as just read (the backfill's chunk), saving the first read."""
        store = self._second_follows()
        truth = dict(known) if known is not None else self._source.follows_of(pairs)
        pending = list(dict.fromkeys(pairs))
        for _ in range(self._rounds):
            for pair in pending:
                _put_edge(store, pair, truth.get(pair))
            again = self._source.follows_of(pending)
            pending = [p for p in pending if again.get(p) != truth.get(p)]
            if not pending:
                return
            truth = again
        raise KeptChanging(f"follow edges kept changing: {pending[:5]}")

    def sync_feed_items(
        self, pairs: Sequence[Pair], known: Mapping[Pair, FeedItem] | None = None
    ) -> None:
        """Make the second store's (reader, tweet) entries SQL's. An entry's content is fixed
        by its tweet, so only presence can differ."""
        store = self._second_feeds()
        truth = dict(known) if known is not None else self._source.feed_items_of(pairs)
        pending = list(dict.fromkeys(pairs))
        for _ in range(self._rounds):
            store.add_many([truth[p] for p in pending if p in truth])
            for tweet_id, readers in _readers_by_tweet(p for p in pending if p not in truth):
                store.remove_tweet(tweet_id, readers)
            again = self._source.feed_items_of(pending)
            pending = [p for p in pending if (p in again) != (p in truth)]
            if not pending:
                return
            truth = again
        raise KeptChanging(f"feed entries kept changing: {pending[:5]}")

    def sync_feed_author(self, reader_id: int, author_id: int) -> None:
        """Make the second store's entries by `author_id` in `reader_id`'s feed SQL's."""
        store = self._second_feeds()
        truth = self._source.feed_items_by(reader_id, author_id)
        for _ in range(self._rounds):
            store.remove_author(reader_id, author_id)
            if truth:
                store.add_many(truth)
                self._lists.delete([feed_key(reader_id)])
            again = self._source.feed_items_by(reader_id, author_id)
            if set(again) == set(truth):
                return
            truth = again
        raise KeptChanging(f"entries by {author_id} in feed {reader_id} kept changing")

    def _second_follows(self) -> FollowStore:
        store = self._stores.secondary.follows
        if store is None:
            raise Unavailable("no second follow store is configured to mirror to")
        return store

    def _second_feeds(self) -> FeedStore:
        store = self._stores.secondary.feeds
        if store is None:
            raise Unavailable("no second feed store is configured to mirror to")
        return store


def _put_edge(store: FollowStore, pair: Pair, edge: Follow | None) -> None:
    """Leave `store` holding exactly `edge` (or nothing) for `pair`."""
    if edge is None:
        store.remove(*pair)
    elif not store.add(edge) and store.get(*pair) != edge:
        # An older edge of the same pair (unfollowed and followed again): replace it.
        store.remove(*pair)
        store.add(edge)


def _readers_by_tweet(pairs: Iterable[Pair]) -> list[tuple[int, list[int]]]:
    grouped: dict[int, list[int]] = defaultdict(list)
    for reader, tweet in pairs:
        grouped[tweet].append(reader)
    return list(grouped.items())
