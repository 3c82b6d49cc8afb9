"""Fan-out on the full profile loses nothing: a worker killed mid-way, a broker that stops,
a job that can never succeed. Real MariaDB, Redis, Memcached and RabbitMQ; real
`chirp worker` processes."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pika
import pytest
import sqlalchemy as sa

from adapters.mysql.bulk import load_followers
from adapters.mysql.tables import feed_entries
from container import Container, build_container
from entrypoints.http.app import create_app
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url
from tests.integration.support import wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/11"
QUEUE = "chirp-test-faults"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """CHIRP_* settings of the API (this process) and of the workers (subprocesses)."""
    return {
        "CHIRP_PROFILE": "full",
        "CHIRP_MYSQL_URL": fresh_mysql_url("chirp_test_faults"),
        "CHIRP_REDIS_URL": REDIS_URL,
        "CHIRP_QUEUE_NAME": QUEUE,
        "CHIRP_DATA_DIR": str(tmp_path),
        "CHIRP_RATELIMIT_ENABLED": "false",
        "CHIRP_JOB_ATTEMPTS": "3",
        "CHIRP_JOB_MIN_BACKOFF_MS": "20",
        "CHIRP_JOB_MAX_BACKOFF_MS": "200",
        "CHIRP_RELAY_INTERVAL_MS": "100",
    }


@pytest.fixture
def api(env: dict[str, str]) -> Iterator[Container]:
    """The API's container: no worker roles run in this process, as on `chirp serve`."""
    container = build_container(Settings.from_env(env))
    container.redis().flushdb()
    _purge(container.settings().amqp_url)
    yield container
    container.shutdown_resources()


def _purge(amqp_url: str) -> None:
    """Drop what an earlier run of these tests left in their RabbitMQ queues."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        for name in (QUEUE, f"{QUEUE}.DQ", f"{QUEUE}.XQ"):
            channel = connection.channel()
            # A queue that does not exist yet holds nothing.
            with contextlib.suppress(pika.exceptions.ChannelClosedByBroker):
                channel.queue_purge(name)
    finally:
        connection.close()


class Workers:
    """`chirp worker` subprocesses on the test's settings."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self._env = {**os.environ, **env}
        self._logs = logs
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, **extra: str) -> subprocess.Popen[bytes]:
        # Output goes to a file: a pipe nobody reads fills up and blocks the worker.
        log = self._logs / f"worker-{len(self.running)}.log"
        with log.open("wb") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "entrypoints.cli", "worker", "--threads", "2"],
                env={**self._env, **extra},
                cwd=ROOT,
                stdout=output,
                stderr=output,
            )
        self.running.append(process)
        return process

    def logs(self) -> str:
        return "\n".join(
            path.read_text(errors="replace")[-3000:]
            for path in sorted(self._logs.glob("worker-*.log"))
        )

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "entrypoints.cli", *args],
            env=self._env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.running:
            process.wait(timeout=60)


@pytest.fixture
def workers(env: dict[str, str], tmp_path: Path) -> Iterator[Workers]:
    started = Workers(env, tmp_path)
    yield started
    started.stop_all()


def delivered(container: Container, tweet_id: int) -> tuple[int, int]:
    """(feed rows, distinct readers) holding `tweet_id`."""
    query = sa.select(sa.func.count(), sa.func.count(sa.distinct(feed_entries.c.reader_id)))
    with container.engine().connect() as conn:
        rows, readers = conn.execute(query.where(feed_entries.c.tweet_id == tweet_id)).one()
    return int(rows), int(readers)


def test_a_worker_killed_mid_fanout_leaves_every_follower_the_tweet_exactly_once(
    api: Container, workers: Workers
) -> None:
    author = api.accounts().sign_up("author_01", "author@example.com", "secret1").user
    followers = range(50_000_000, 50_010_000)
    load_followers(api.engine(), author.id, followers)
    view, _ = api.posting().post_tweet(author.id, "one tweet for ten thousand followers")
    tweet_id, everyone = view.tweet.id, len(followers) + 1  # the author's own entry too

    # Small batches and one thread, so the kill lands part-way through the fan-out.
    first = workers.start(CHIRP_FANOUT_BATCH="50", CHIRP_WORKER_THREADS="1")
    wait_for(lambda: delivered(api, tweet_id)[0] > 1, 60, "fan-out started")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    part_way = delivered(api, tweet_id)[0]
    assert 1 < part_way < everyone, "the kill must land in the middle of the fan-out"

    workers.start()
    wait_for(lambda: delivered(api, tweet_id)[0] == everyone, 120, "fan-out resumed")
    assert delivered(api, tweet_id) == (everyone, everyone)
    assert api.dispatcher().dead() == []


def test_posts_while_rabbitmq_is_down_answer_201_and_reach_every_follower_when_it_is_back(
    api: Container, workers: Workers
) -> None:
    client = create_app(api).test_client()
    author = api.accounts().sign_up("author_02", "author2@example.com", "secret1")
    readers = [
        api.accounts().sign_up(f"reader_{n:03d}", f"r{n}@example.com", "secret1").user
        for n in range(3)
    ]
    for reader in readers:
        api.following().follow(reader.id, author.user.id)
    workers.start()  # connected before the outage
    wait_for(lambda: "threads each" in workers.logs(), 30, "the first worker started")
    try:
        _services("down", "rabbitmq")
        workers.start()  # started during the outage: it must wait for the broker, not exit
        posted = []
        for n in range(3):
            response = client.post(
                "/api/tweets/",
                json={"content": f"posted in the dark {n}"},
                headers={"Authorization": f"Bearer {author.token}"},
            )
            assert response.status_code == 201, response.get_json()
            posted.append(int(response.get_json()["id"]))
    finally:
        _services("up", "rabbitmq")
    for tweet_id in posted:
        wait_for(
            lambda t=tweet_id: delivered(api, t) == (4, 4),
            120,  # type: ignore[misc]
            f"tweet {tweet_id} delivered after the broker came back\n{workers.logs()}",
        )
    assert all(w.poll() is None for w in workers.running), workers.logs()  # none gave up


def test_a_job_that_always_fails_is_dead_lettered_listed_and_can_be_retried(
    api: Container, workers: Workers
) -> None:
    author = api.accounts().sign_up("author_03", "author3@example.com", "secret1").user
    reader = api.accounts().sign_up("reader_03", "reader3@example.com", "secret1").user
    api.following().follow(reader.id, author.id)
    view, _ = api.posting().post_tweet(author.id, "a tweet whose fan-out cannot write")
    # With the feed table gone, every attempt of the fan-out batch fails in MariaDB.
    _rename(api, "feed_entries", "feed_entries_away")
    try:
        workers.start()

        def listed() -> bool:
            return "fanout_batch" in workers.cli("jobs", "dead").stdout

        wait_for(listed, 60, "the failing batch listed by `chirp jobs dead`")
        [line] = [
            row for row in workers.cli("jobs", "dead").stdout.splitlines() if "fanout_batch" in row
        ]
        assert f"tweet {view.tweet.id}" in line and "3 attempts" in line
        assert "feed_entries" in line  # the error says what failed
    finally:
        _rename(api, "feed_entries_away", "feed_entries")
    assert "requeued 1 job(s)" in workers.cli("jobs", "retry").stdout
    wait_for(lambda: delivered(api, view.tweet.id) == (2, 2), 60, "the retried batch ran")
    assert "0 dead job(s)" in workers.cli("jobs", "dead").stdout


def _rename(container: Container, old: str, new: str) -> None:
    with container.engine().begin() as conn:
        conn.execute(sa.text(f"RENAME TABLE {old} TO {new}"))


def _services(action: str, name: str) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "services"), action, name],
        check=True,
        cwd=ROOT,
        timeout=180,
        capture_output=True,
    )
