"""Builders of TaskQueues for the contract suite: memory, a SQLite file, MariaDB, RabbitMQ.

Every builder uses the same small limits (MAX_ATTEMPTS, back-offs of milliseconds) so the
same cases run quickly on every backend. A real server that cannot be reached fails the
test loudly, naming the server.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path

import pika  # type: ignore[import-untyped]
import pika.exceptions  # type: ignore[import-untyped]
from sqlalchemy.engine import Engine

from adapters.memory import InMemoryTaskQueue
from adapters.mysql.engine import create_schema, make_engine
from adapters.mysql.job_queue import SqlTaskQueue
from adapters.queue.dramatiq_queue import DramatiqTaskQueue
from adapters.system.clock import SystemClock
from core.ports.clock import Clock
from core.ports.task_queue import TaskQueue
from tests.contract.sql_backends import fresh_mysql_url

MAX_ATTEMPTS = 3
AMQP_URL = "amqp://guest:guest@127.0.0.1:{port}/%2F"
CLOSED_PORT = 1  # nothing listens on it: connections are refused at once
HOW_TO_START = "start the servers with `scripts/services up`"

Cleanup = Callable[[], None]


def memory_queue() -> InMemoryTaskQueue:
    return InMemoryTaskQueue(max_attempts=MAX_ATTEMPTS, min_backoff=0.001, max_backoff=0.01)


def sqlite_engine(tmp_path: Path) -> Engine:
    """An engine on a new SQLite file (as the embedded profile uses) with the schema."""
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    create_schema(engine)
    return engine


def mysql_engine() -> Engine:
    """An engine on a MariaDB database of the queue suite's own, migrated and emptied."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    name = f"chirp_test_queue_{worker}" if worker else "chirp_test_queue"
    return make_engine(fresh_mysql_url(name))


def sql_queue_on(engine: Engine, clock: Clock | None = None, lease: float = 5.0) -> SqlTaskQueue:
    """A queue on `engine`'s database; a second one on another engine is what a second
    process would build."""
    return SqlTaskQueue(
        engine,
        clock or SystemClock(),
        max_attempts=MAX_ATTEMPTS,
        min_backoff=0.01,
        max_backoff=0.05,
        lease=lease,
        poll=0.5,
    )


def rabbitmq_queue() -> tuple[DramatiqTaskQueue, Cleanup]:
    """A queue on a fresh, uniquely named RabbitMQ queue, deleted (with its delay and
    dead-letter queues) by the cleanup."""
    url = amqp_url()
    _check_rabbitmq(url)
    name = f"chirp_test_{uuid.uuid4().hex[:12]}"
    queue = DramatiqTaskQueue(
        url, name, max_attempts=MAX_ATTEMPTS, min_backoff_ms=10, max_backoff_ms=50
    )

    def cleanup() -> None:
        queue.close()
        connection = pika.BlockingConnection(pika.URLParameters(url))
        try:
            channel = connection.channel()
            for each in (name, f"{name}.DQ", f"{name}.XQ"):
                channel.queue_delete(each)
        finally:
            connection.close()

    return queue, cleanup


def down_queue(backend: str, tmp_path: Path) -> TaskQueue:
    """A queue of `backend` whose store or broker cannot be reached."""
    if backend == "memory":
        queue = memory_queue()
        queue.available = False
        return queue
    if backend == "sql":  # a directory where the database file should be
        return sql_queue_on(make_engine(f"sqlite:///{tmp_path}"))
    if backend == "mysql":
        url = f"mysql+pymysql://chirp:chirp@127.0.0.1:{CLOSED_PORT}/chirp"
        return sql_queue_on(make_engine(url))
    return DramatiqTaskQueue(AMQP_URL.format(port=CLOSED_PORT), "chirp_test_down")


def amqp_url() -> str:
    return os.environ.get(
        "CHIRP_AMQP_URL", AMQP_URL.format(port=os.environ.get("CHIRP_RABBITMQ_PORT", "5672"))
    )


def _check_rabbitmq(url: str) -> None:
    try:
        pika.BlockingConnection(pika.URLParameters(url)).close()
    except pika.exceptions.AMQPError as exc:
        raise RuntimeError(f"RabbitMQ at {url} is unreachable ({exc!r}); {HOW_TO_START}") from exc
