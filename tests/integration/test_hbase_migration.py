"""Follows and feeds moved to HBase behind the gates, on the full profile with the real
HBase, MariaDB, Redis and RabbitMQ: gray release and roll-back, and a resumable backfill."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest
import sqlalchemy as sa

from adapters.mysql.bulk import load_followers
from container import Container, build_container
from core.domain.paging import Window
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url
from tests.integration.support import wait_for

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
GATES = ("hbase_follows", "hbase_feeds")


@pytest.fixture
def env(tmp_path: Path) -> Iterator[dict[str, str]]:
    """Settings of a full-profile process on fresh stores and HBase tables of its own."""
    values = {
        "CHIRP_PROFILE": "full",
        "CHIRP_MYSQL_URL": fresh_mysql_url("chirp_test_hbase"),
        "CHIRP_REDIS_URL": "redis://127.0.0.1:6379/9",
        "CHIRP_QUEUE_NAME": "chirp-test-hbase",
        "CHIRP_HBASE_TABLE_PREFIX": f"chirp_it_{uuid.uuid4().hex[:8]}_",
        "CHIRP_DATA_DIR": str(tmp_path),
        "CHIRP_RATELIMIT_ENABLED": "false",
        "CHIRP_JOB_MIN_BACKOFF_MS": "20",
    }
    yield values
    container = build_container(Settings.from_env(values))
    with container.backends.hbase_pool().connection() as connection:
        for name in connection.tables():
            if name.decode().startswith(values["CHIRP_HBASE_TABLE_PREFIX"]):
                with suppress(Exception):
                    connection.delete_table(name, disable=True)
    container.shutdown_resources()


@pytest.fixture
def full(env: dict[str, str]) -> Iterator[Container]:
    container = build_container(Settings.from_env(env))
    container.redis().flushdb()
    container.migrate()  # the S3 bucket and the HBase tables
    for gate in GATES:
        container.gatekeeper().set_gate(gate, 0, [], [])
    container.worker_roles()
    yield container
    container.shutdown_resources()


def everything_read_by(c: Container, user_id: int) -> tuple[list[int], set[int], set[int]]:
    """What a user sees: their feed's tweet ids, whom they follow, who follows them."""
    feed = [e.id for e in c.timeline().read_home_feed(user_id, Window(limit=100)).results]
    followings = {v.user.id for v in c.following().followings(None, user_id, Window()).results}
    followers = {v.user.id for v in c.following().followers(None, user_id, Window()).results}
    return feed, followings, followers


def test_gates_at_half_then_rolled_back_leave_every_user_reading_all_they_wrote(
    full: Container,
) -> None:
    for gate in GATES:
        full.gatekeeper().set_gate(gate, 50, [], [])
    users = [full.accounts().sign_up(f"user_{n:04d}", f"u{n}@example.com", "secret1").user.id
             for n in range(12)]  # fmt: skip
    follows = {u: {users[(i + k) % len(users)] for k in (1, 2, 3)} for i, u in enumerate(users)}
    for user, followed in follows.items():
        for other in followed:
            full.following().follow(user, other)
    tweets: dict[int, list[int]] = {u: [] for u in users}
    for user in users:
        for n in range(2):
            tweets[user].append(full.posting().post_tweet(user, f"tweet {n} of {user}")[0].tweet.id)
    assert full.dispatcher().settle(60)

    gated = [u for u in users if full.gatekeeper().is_open("hbase_feeds", u)]
    assert 0 < len(gated) < len(users), "both halves must be exercised"

    def expected(user: int) -> tuple[list[int], set[int], set[int]]:
        seen = tweets[user] + [t for other in follows[user] for t in tweets[other]]
        followers = {u for u, followed in follows.items() if user in followed}
        return sorted(seen, reverse=True), follows[user], followers

    for user in users:
        assert everything_read_by(full, user) == expected(user)
    # The gated half was read from HBase, which holds what they wrote.
    hbase_feeds = full.backends.hbase_feeds()
    for user in gated:
        assert hbase_feeds.tweet_ids(user, Window(limit=100)) == expected(user)[0]

    for gate in GATES:
        full.gatekeeper().roll_back(gate)
    for user in users:
        assert everything_read_by(full, user) == expected(user)  # now all from SQL


def test_a_backfill_killed_part_way_resumes_and_verify_then_finds_no_mismatch(
    full: Container, env: dict[str, str]
) -> None:
    author = full.accounts().sign_up("author_01", "author@example.com", "secret1").user.id
    load_followers(full.engine(), author, range(70_000_000, 70_002_000))
    admin = full.accounts().sign_up("staff_01", "staff@example.com", "secret1").user.id
    for gate in GATES:  # mirroring on, reads for one staff account only
        full.gatekeeper().set_gate(gate, 0, [admin], [])

    first = _chirp(env, "migrate", "follows", "--to", "hbase", "--chunk", "50")
    wait_for(lambda: _checkpointed(full), 60, "a first checkpoint")
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    done = _chirp(env, "migrate", "follows", "--to", "hbase", "--chunk", "50")
    assert done.wait(timeout=300) == 0
    verify = _chirp(env, "migrate", "verify", "follows")
    assert verify.wait(timeout=300) == 0, (Path(env["CHIRP_DATA_DIR"]) / "chirp.log").read_text()
    assert full.backends.hbase_follows().count_followers(author) == 2000


def _checkpointed(container: Container) -> bool:
    with container.engine().connect() as conn:
        return bool(conn.execute(sa.text("SELECT COUNT(*) FROM migration_checkpoints")).scalar())


def _chirp(env: dict[str, str], *args: str) -> subprocess.Popen[bytes]:
    log = (Path(env["CHIRP_DATA_DIR"]) / "chirp.log").open("ab")
    command = [sys.executable, "-m", "entrypoints.cli", *args]
    return subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT, stdout=log, stderr=log)
