"""The fault suite's stack: private Redis and Memcached, `chirp serve` and `chirp worker` on
the full profile, shared by a module's tests (starting it costs seconds)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import pika
import pytest
import sqlalchemy as sa

from adapters.mysql.engine import make_engine
from tests.contract.sql_backends import fresh_mysql_url
from tests.faults.load import Http
from tests.faults.stack import (
    ChirpProcess,
    Partition,
    PrivateMemcached,
    PrivateRedis,
    chirp_env,
    start_serve,
    start_worker,
)

# Names of this suite's own: tests/integration/test_fanout_faults.py uses chirp_test_faults.
DATABASE = "chirp_test_cache_faults"
QUEUE = "chirp-test-cache-faults"
AMQP_URL = "amqp://guest:guest@127.0.0.1:5672/%2F"


@dataclass
class Stack:
    redis: PrivateRedis
    memcached: PrivateMemcached
    redis_link: Partition
    memcached_link: Partition
    serve: ChirpProcess
    worker: ChirpProcess
    api: Http
    engine: sa.Engine
    database_url: str

    def logs(self) -> str:
        return f"serve:\n{self.serve.tail(1500)}\nworker:\n{self.worker.tail(1500)}"


def purge_queues(amqp_url: str, queue: str) -> None:
    """Drop what an earlier run left in the run's RabbitMQ queues."""
    connection = pika.BlockingConnection(pika.URLParameters(amqp_url))
    try:
        for name in (queue, f"{queue}.DQ", f"{queue}.XQ"):
            channel = connection.channel()
            # A queue that does not exist yet holds nothing.
            with contextlib.suppress(pika.exceptions.ChannelClosedByBroker):
                channel.queue_purge(name)
    finally:
        connection.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("faults")
    redis_server, memcached = PrivateRedis(folder / "redis"), PrivateMemcached(folder / "mc")
    started: list[ChirpProcess] = []
    links: tuple[Partition, ...] = ()
    try:
        redis_server.start()
        memcached.start()
        links = Partition(redis_server.port), Partition(memcached.port)
        url = fresh_mysql_url(DATABASE)
        purge_queues(AMQP_URL, QUEUE)
        redis_url = f"redis://127.0.0.1:{links[0].port}/0"
        env = chirp_env(url, QUEUE, folder / "data", redis_url, links[1].port)
        serve, port = start_serve(env, folder / "serve.log")
        started.append(serve)
        started.append(start_worker(env, folder / "worker.log"))
        engine = make_engine(url)
        yield Stack(redis_server, memcached, *links, serve, started[1], Http(port), engine, url)
        engine.dispose()
    finally:
        for link in links:
            link.close()
        for process in reversed(started):
            process.stop()
        redis_server.stop()
        memcached.stop()
