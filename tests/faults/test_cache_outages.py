"""Redis and Memcached going away in the middle of mixed traffic (reads, posts, likes,
comments, follows) against a real `chirp serve` (two gunicorn workers) and `chirp worker`.

What a user notices is asserted: every read answers 200 from the store throughout; every
write answers 2xx, or 503 with a message, never a 500 and never a hang (each request is
bounded); nothing is half-written (the store holds exactly what users were told); and once
the cache is back everything converges: counts equal rows, feeds hold what follows say,
and what the API serves through its caches equals the store.

Each outage is tried two ways. A kill (SIGKILL, restart empty) loses the cache's content.
A partition (tests.faults.stack.Partition cuts the network in front of the server) keeps
it: every call meanwhile times out, and afterwards the cache still holds what it held
before, so an invalidation or a push that failed during the outage would be served stale.

A real server rather than the test client: every request can be bounded by a socket
timeout (a hang is a failure, not a stuck test), and the API processes and the worker each
meet the outage on their own connection pools, as in production.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa

from container import build_container
from entrypoints.http.app import create_app
from settings import Settings
from tests.faults.conftest import QUEUE, Stack
from tests.faults.load import READS, Load, Model, Outcome, describe, seat_readers, sign_up
from tests.faults.reconcile import Reconciliation, reconcile
from tests.faults.stack import CacheServer

pytestmark = pytest.mark.integration

USERS = 6
READERS = 3
BEFORE_SECONDS, OUTAGE_SECONDS, AFTER_SECONDS = 3.0, 5.0, 3.0
# Fan-out of what was posted last, and jobs retried after the outage, must land by then.
CONVERGE_SECONDS = 60.0


def run_through(stack: Stack, tag: str, down: Callable[[], None], up: Callable[[], None]) -> Model:
    """Mixed load before, during and after an outage; the outcomes and what users were told."""
    model = Model()
    users = sign_up(stack.api, model, USERS, tag)
    readers = seat_readers(stack.api, model, users, READERS, tag + "r")
    load = Load(stack.api, model, users, readers=readers)
    load.start()
    try:
        time.sleep(BEFORE_SECONDS)
        down()
        model.outage = (time.monotonic(), 0.0)
        time.sleep(OUTAGE_SECONDS)
        up()
        model.outage = (model.outage[0], time.monotonic())
        time.sleep(AFTER_SECONDS)
    finally:
        load.stop()
    return model


def during(model: Model) -> list[Outcome]:
    began, ended = model.outage
    return [o for o in model.outcomes if o.started >= began and o.ended <= ended]


def converged(stack: Stack, model: Model) -> Reconciliation:
    """The reconciliation once it passes, or the last one after CONVERGE_SECONDS."""
    deadline = time.monotonic() + CONVERGE_SECONDS
    while True:
        result = reconcile(stack.engine, stack.api, model)
        if result.ok or time.monotonic() > deadline:
            return result
        time.sleep(0.5)


def assert_rode_out(stack: Stack, model: Model) -> None:
    unexpected = model.unexpected()
    assert not unexpected, f"{len(unexpected)} unexpected answers: {describe(unexpected)}"
    inside = during(model)
    assert any(o.action in READS for o in inside), "no read landed inside the outage"
    assert any(o.action not in READS for o in inside), "no write landed inside the outage"
    result = converged(stack, model)
    assert result.ok, f"{result.summary()}\n{stack.logs()}"
    assert stack.serve.alive() and stack.worker.alive(), stack.logs()


def test_killing_redis_mid_load_keeps_reads_answering_and_converges_once_it_is_back(
    stack: Stack,
) -> None:
    server: CacheServer = stack.redis
    model = run_through(stack, "rkill", server.kill, server.start)
    assert_rode_out(stack, model)


def test_killing_memcached_mid_load_keeps_reads_answering_and_converges_once_it_is_back(
    stack: Stack,
) -> None:
    server: CacheServer = stack.memcached
    model = run_through(stack, "mkill", server.kill, server.start)
    assert_rode_out(stack, model)


def test_a_redis_partition_mid_load_leaves_no_stale_feed_or_count_once_it_heals(
    stack: Stack,
) -> None:
    model = run_through(stack, "rpart", stack.redis_link.cut, stack.redis_link.heal)
    assert_rode_out(stack, model)


def test_a_memcached_partition_mid_load_leaves_no_stale_tweet_once_it_heals(
    stack: Stack,
) -> None:
    model = run_through(stack, "mpart", stack.memcached_link.cut, stack.memcached_link.heal)
    assert_rode_out(stack, model)


def test_with_rate_limits_on_a_redis_outage_keeps_reads_answering_and_limits_holding(
    stack: Stack, tmp_path: Path
) -> None:
    """The rate limiter's rule (core/services/ratelimit.py): while its shared store cannot
    count, each process counts alone, so reads still answer 200 from the store and a burst
    past a limit is still refused (429), never a free pass and never a 503 for the limiter's
    sake. Sign-up writes its row."""
    settings = Settings(
        profile="full", data_dir=tmp_path, mysql_url=stack.database_url, queue_name=QUEUE,
        redis_url=f"redis://127.0.0.1:{stack.redis_link.port}/0", scrypt_n=2**10,
        memcached_port=stack.memcached_link.port, ratelimit_enabled=True,
    )  # fmt: skip
    container = build_container(settings)
    client = create_app(container).test_client(use_cookies=False)
    body = {"username": "limited_01", "password": "secret-pass", "email": "l1@example.com"}
    stack.redis_link.cut()
    try:
        read = client.get("/api/tweets/?user_id=1")
        signup = client.post("/api/accounts/signup/", json=body)
        login = {"username": "limited_01", "password": "wrong-pass"}
        burst = [client.post("/api/accounts/login/", json=login).status_code for _ in range(6)]
    finally:
        stack.redis_link.heal()
        container.unwire()
        container.shutdown_resources()
    assert read.status_code == 200, read.get_data(True)
    assert "X-RateLimit-Limit" in read.headers
    assert signup.status_code == 201, signup.get_data(True)
    assert 429 in burst  # "auth" is 3 a second per address, counted in this process
    with stack.engine.connect() as conn:
        query = sa.text("SELECT COUNT(*) FROM users WHERE username = 'limited_01'")
        assert conn.execute(query).scalar_one() == 1
