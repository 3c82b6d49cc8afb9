"""A full container shutting down while its publishing hand-off still publishes: the task
queue stays open until that publish is done (container.shutdown_in_order). Before the
rule the queue could close first, and the publish failed on a closed channel.

dependency-injector's own order follows its providers' traversal, which varies with the
process's memory layout: without the rule this test failed only in some runs, so
tests/unit/test_shutdown_order.py pins the rule and the real wiring it relies on."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from adapters.queue.dramatiq_queue import DramatiqTaskQueue
from container import build_container
from core.domain.feed import Job
from core.services.dispatch import JobDispatcher
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url
from tests.http.helpers import TEST_SCRYPT_N

pytestmark = pytest.mark.integration
HANG_SECONDS = 10  # a guard against a hang, not a measurement


def test_the_queue_closes_only_after_the_hand_offs_last_publish(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = Settings(
        profile="full", data_dir=tmp_path, ratelimit_enabled=False, scrypt_n=TEST_SCRYPT_N,
        mysql_url=fresh_mysql_url("chirp_test_shutdown_order"),
        redis_url="redis://127.0.0.1:6379/13", queue_name="chirp-test-shutdown-order",
    )  # fmt: skip
    container = build_container(settings)
    container.migrate()
    events: list[str] = []
    entered, release = threading.Event(), threading.Event()
    publish, close = JobDispatcher.publish, DramatiqTaskQueue.close

    def held_publish(dispatcher: JobDispatcher, jobs: Sequence[Job]) -> int:
        entered.set()
        release.wait(HANG_SECONDS)
        sent = publish(dispatcher, jobs)
        events.append(f"published {sent}")
        return sent

    def recorded_close(queue: DramatiqTaskQueue) -> None:
        events.append("queue closed")
        close(queue)

    monkeypatch.setattr(JobDispatcher, "publish", held_publish)
    monkeypatch.setattr(DramatiqTaskQueue, "close", recorded_close)
    author = container.accounts().sign_up("author_01", "a@example.com", "secret-pass").user
    container.posting().post_tweet(author.id, "published while shutting down")
    assert entered.wait(HANG_SECONDS)  # the hand-off thread holds the tweet's job
    shutdown = threading.Thread(target=container.shutdown_resources)
    shutdown.start()
    time.sleep(0.3)  # unordered, the queue closes now
    release.set()
    shutdown.join(HANG_SECONDS)
    assert not shutdown.is_alive()
    assert events == ["published 1", "queue closed"]
