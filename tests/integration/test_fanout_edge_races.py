"""Fan-out racing the edges it reads, forced on SQLite and on MariaDB.

- A batch racing an unfollow of its author: the reader never keeps the tweet (the soak's
  reconciliation found it kept, before the rule).
- A follow racing its followee's new tweet: the follower gets the tweet from the follow's
  backfill or from the tweet's fan-out, never from neither (the cache-outage test's
  reconciliation found it missing, before the rule)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.mysql.feeds import SqlFeedStore
from container import Container, build_container
from core.domain.feed import FeedItem, Job, JobKind
from core.domain.paging import Window
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url
from tests.http.helpers import TEST_SCRYPT_N

HANG_SECONDS = 10  # a guard against a hang, not a measurement


def build(profile: str, data_dir: Path) -> Container:
    """A container whose jobs run only when the test runs them (no consumer, no relay)."""
    extra = {}
    if profile == "full":
        extra = {"mysql_url": fresh_mysql_url("chirp_test_unfollow_race"),
                 "redis_url": "redis://127.0.0.1:6379/14",
                 "queue_name": "chirp-test-unfollow-race"}  # fmt: skip
    settings = Settings(
        profile=profile, data_dir=data_dir, ratelimit_enabled=False, scrypt_n=TEST_SCRYPT_N,
        **extra,  # type: ignore[arg-type]
    )  # fmt: skip
    container = build_container(settings)
    container.migrate()
    return container


@pytest.fixture(params=["embedded", pytest.param("full", marks=pytest.mark.integration)])
def container(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Container]:
    built = build(request.param, tmp_path)
    yield built
    built.shutdown_resources()


def held_feed_writes(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make the next feed write pause just before it runs: (entered, release)."""
    entered, release = threading.Event(), threading.Event()
    original = SqlFeedStore.add_many

    def paused(store: SqlFeedStore, items: Sequence[FeedItem]) -> None:
        entered.set()
        release.wait(HANG_SECONDS)
        original(store, items)

    monkeypatch.setattr(SqlFeedStore, "add_many", paused)
    return entered, release


def test_an_unfollow_during_a_batch_waits_for_it_and_then_removes_what_it_wrote(
    container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts, following = container.accounts(), container.following()
    author = accounts.sign_up("author_01", "author@example.com", "secret-pass").user
    reader = accounts.sign_up("reader_01", "reader@example.com", "secret-pass").user
    following.follow(reader.id, author.id)
    view, _ = container.posting().post_tweet(author.id, "fanned out while unfollowed")
    batch = Job(id=container.ids().next_id(), kind=JobKind.FANOUT_BATCH,
                tweet_id=view.tweet.id, author_id=author.id, reader_ids=(reader.id,))  # fmt: skip
    entered, release = held_feed_writes(monkeypatch)
    fanout = threading.Thread(target=container.fanout().run, args=(batch,))
    fanout.start()
    assert entered.wait(HANG_SECONDS)  # the batch has read the edge and is about to write
    unfollow = threading.Thread(target=following.unfollow, args=(reader.id, author.id))
    unfollow.start()
    time.sleep(0.3)
    assert unfollow.is_alive(), "the unfollow did not wait for the batch holding the edge"
    release.set()
    fanout.join(HANG_SECONDS)
    unfollow.join(HANG_SECONDS)
    with container.uow_factory()() as uow:
        assert view.tweet.id not in uow.feeds.tweet_ids(reader.id, Window(limit=10))


def test_a_batch_after_an_unfollow_skips_the_reader(container: Container) -> None:
    accounts, following = container.accounts(), container.following()
    author = accounts.sign_up("author_01", "author@example.com", "secret-pass").user
    reader = accounts.sign_up("reader_01", "reader@example.com", "secret-pass").user
    stays = accounts.sign_up("reader_02", "stays@example.com", "secret-pass").user
    following.follow(reader.id, author.id)
    following.follow(stays.id, author.id)
    view, _ = container.posting().post_tweet(author.id, "split before the unfollow")
    following.unfollow(reader.id, author.id)
    container.fanout().run(Job(id=container.ids().next_id(), kind=JobKind.FANOUT_BATCH,
                               tweet_id=view.tweet.id, author_id=author.id,
                               reader_ids=(reader.id, stays.id)))  # fmt: skip
    with container.uow_factory()() as uow:
        assert view.tweet.id not in uow.feeds.tweet_ids(reader.id, Window(limit=10))
        assert view.tweet.id in uow.feeds.tweet_ids(stays.id, Window(limit=10))


class RecordedQueue:
    """A task queue that keeps what it is given, so the test runs each job when it chooses."""

    def __init__(self) -> None:
        self.jobs: list[Job] = []

    def enqueue(self, jobs: Sequence[Job]) -> None:
        self.jobs.extend(jobs)

    def take(self, kind: JobKind) -> list[Job]:
        taken = [job for job in self.jobs if job.kind is kind]
        self.jobs = [job for job in self.jobs if job.kind is not kind]
        return taken


@pytest.mark.integration
def test_a_tweet_posted_while_a_follow_of_its_author_commits_reaches_the_follower(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """MariaDB only: on SQLite the follow holds the one write lock from its first write to
    its commit, so the tweet cannot commit in between."""
    container = build("full", tmp_path)
    queue = RecordedQueue()
    container.task_queue.override(providers.Object(queue))
    try:
        accounts, following = container.accounts(), container.following()
        author = accounts.sign_up("author_01", "author@example.com", "secret-pass").user
        reader = accounts.sign_up("reader_01", "reader@example.com", "secret-pass").user
        entered, release = threading.Event(), threading.Event()
        original = SqlFeedStore.add_many

        def paused(store: SqlFeedStore, items: Sequence[FeedItem]) -> None:
            if threading.current_thread().name == "follow":
                entered.set()  # the backfill has read the author's tweets: none yet
                release.wait(HANG_SECONDS)
            original(store, items)

        monkeypatch.setattr(SqlFeedStore, "add_many", paused)
        follow = threading.Thread(
            target=following.follow, args=(reader.id, author.id), name="follow"
        )
        follow.start()
        assert entered.wait(HANG_SECONDS)
        view, _ = container.posting().post_tweet(author.id, "posted mid-follow")
        (fanout_job,) = queue.take(JobKind.FANOUT)
        split = threading.Thread(target=container.fanout().run, args=(fanout_job,))
        split.start()
        split.join(0.5)  # unfixed, the split reads no follower and ends here
        release.set()
        follow.join(HANG_SECONDS)
        split.join(HANG_SECONDS)
        assert not follow.is_alive() and not split.is_alive()
        for batch in queue.take(JobKind.FANOUT_BATCH):
            container.fanout().run(batch)
        with container.uow_factory()() as uow:
            assert view.tweet.id in uow.feeds.tweet_ids(reader.id, Window(limit=10))
    finally:
        container.task_queue.reset_override()
        container.shutdown_resources()
