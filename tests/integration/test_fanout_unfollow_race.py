"""A fan-out batch racing an unfollow of its author, forced on SQLite and on MariaDB: the
reader never keeps the tweet (the soak's reconciliation found it kept, before the rule)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

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
