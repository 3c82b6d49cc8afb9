"""The embedded profile keeps the fan-out promise in one server (a gunicorn master whose
workers each run jobs): a job leaves the queue only after it ran, a restart (even after
kill -9 of every process) resumes it, SIGTERM loses nothing, and `chirp seed` waits for its
fan-out. Real `chirp` processes on a SQLite file."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.mysql.bulk import load_followers
from adapters.mysql.engine import make_engine
from tests.integration.support import wait_for

CHIRP = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "chirp"
FOLLOWERS = 3000


def run_env(data_dir: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "CHIRP_PROFILE": "embedded", "CHIRP_DATA_DIR": str(data_dir),
            "CHIRP_RATELIMIT_ENABLED": "false", **extra}  # fmt: skip


def count(data_dir: Path, sql: str, *args: object) -> int:
    with sqlite3.connect(data_dir / "chirp.sqlite3", timeout=10) as db:
        return int(db.execute(sql, args).fetchone()[0])


class Server:
    """`chirp serve` on a free port, its output in a log file."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self, **extra: str) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        log = (self.data_dir / "serve.log").open("ab")
        self.process = subprocess.Popen(
            [str(CHIRP), "serve", "--port", str(self.port)],
            env=run_env(self.data_dir, **extra), stdout=log, stderr=log,
            start_new_session=True,  # a group of its own: the master and its workers
        )  # fmt: skip
        wait_for(self._listening, 30, "chirp serve listening")

    def _listening(self) -> bool:
        assert self.process is not None and self.process.poll() is None, "chirp serve died"
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
            return True
        except OSError:
            return False

    def call(self, path: str, body: dict[str, str], token: str | None = None) -> dict[str, str]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}", data=json.dumps(body).encode(), headers=headers
        )
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def stop(self, sig: signal.Signals) -> int:
        """SIGKILL kills every process of the server at once (a crash); any other signal
        goes to the master, which stops its workers in order."""
        assert self.process is not None
        if sig == signal.SIGKILL:
            os.killpg(self.process.pid, sig)
        else:
            self.process.send_signal(sig)
        return self.process.wait(timeout=60)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path)
    yield started
    if started.process is not None and started.process.poll() is None:
        started.stop(signal.SIGKILL)


def post_to_many_followers(server: Server) -> int:
    """Sign up an author with FOLLOWERS followers (bulk-loaded) and post; the tweet id."""
    author = server.call(
        "/api/accounts/signup/",
        {"username": "author_01", "email": "a@example.com", "password": "secret1"},
    )
    engine = make_engine(f"sqlite:///{server.data_dir / 'chirp.sqlite3'}")
    load_followers(engine, int(author["user"]["id"]), range(10**9, 10**9 + FOLLOWERS))
    engine.dispose()
    tweet = server.call("/api/tweets/", {"content": "one tweet for many"}, author["token"])
    return int(tweet["id"])


def delivered(data_dir: Path, tweet_id: int) -> int:
    return count(data_dir, "SELECT COUNT(*) FROM feed_entries WHERE tweet_id = ?", tweet_id)


def pending_jobs(data_dir: Path) -> int:
    return count(data_dir, "SELECT (SELECT COUNT(*) FROM jobs) + (SELECT COUNT(*) FROM outbox)")


def test_a_server_killed_mid_fanout_resumes_it_after_a_restart(server: Server) -> None:
    slow = {"CHIRP_FANOUT_BATCH": "10", "CHIRP_WORKER_THREADS": "1", "CHIRP_JOB_LEASE_MS": "1000"}
    server.start(**slow)
    tweet_id = post_to_many_followers(server)
    wait_for(lambda: delivered(server.data_dir, tweet_id) > 1, 60, "fan-out started")
    server.stop(signal.SIGKILL)
    part_way = delivered(server.data_dir, tweet_id)
    assert part_way < FOLLOWERS + 1, "the kill must land in the middle of the fan-out"
    assert pending_jobs(server.data_dir) > 0  # what was not done is still recorded

    server.start(CHIRP_JOB_LEASE_MS="1000")
    wait_for(lambda: delivered(server.data_dir, tweet_id) == FOLLOWERS + 1, 120, "resumed")
    wait_for(lambda: pending_jobs(server.data_dir) == 0, 30, "queue emptied")


def test_sigterm_mid_fanout_stops_the_server_cleanly_and_loses_no_job(server: Server) -> None:
    server.start(CHIRP_FANOUT_BATCH="10", CHIRP_WORKER_THREADS="1")
    tweet_id = post_to_many_followers(server)
    wait_for(lambda: delivered(server.data_dir, tweet_id) > 1, 60, "fan-out started")
    assert server.stop(signal.SIGTERM) == 0
    assert delivered(server.data_dir, tweet_id) < FOLLOWERS + 1, "stopped mid-way"

    # Nothing in flight was left leased (the default lease is 30 s): the rest runs at once.
    server.start()
    wait_for(lambda: delivered(server.data_dir, tweet_id) == FOLLOWERS + 1, 20, "resumed")


def test_seed_waits_until_every_tweet_reached_every_follower(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(CHIRP), "seed", "--users", "10", "--tweets", "5", "--follows", "3"],
        env=run_env(tmp_path), capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    # 50 tweets, each in its author's feed and in 3 followers' feeds.
    assert count(tmp_path, "SELECT COUNT(*) FROM feed_entries") == 50 * 4
    assert pending_jobs(tmp_path) == 0
