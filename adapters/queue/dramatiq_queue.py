"""DramatiqTaskQueue: jobs as dramatiq messages on RabbitMQ, with retries and dead letters."""

# dramatiq ships py.typed but leaves most of its functions unannotated.
# mypy: disable-error-code="no-untyped-call"

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import dramatiq
import dramatiq.errors
import pika
import pika.exceptions
from dramatiq import Message, Worker
from dramatiq.brokers.rabbitmq import RabbitmqBroker
from dramatiq.common import xq_name
from dramatiq.middleware import Middleware, Retries

from core.domain.errors import Unavailable
from core.domain.feed import DeadJob, Job
from core.ports.task_queue import Consumer, JobHandler, TaskQueue

ACTOR = "chirp_job"
WORKER_TIMEOUT_MS = 100  # how often idle consumers look at due retries and at `stop`
SETTLE_SECONDS = 0.05  # gap between the two idle readings wait_idle needs
DRIVER_ERRORS = (pika.exceptions.AMQPError, dramatiq.errors.ConnectionError, OSError)


class DramatiqTaskQueue(TaskQueue):
    """One RabbitMQ queue `queue_name` worked by dramatiq; a message carries one job payload.

    - `enqueue` publishes persistent messages with publisher confirms, one at a time: it
      returns once RabbitMQ holds every job.
    - One broker publishes; each `consume` builds its own broker, actor and Worker (a
      Worker adds middleware to its broker for good), and `stop` closes them. RabbitMQ
      takes back every message a closed consumer had not acknowledged. A handler still
      running then cannot acknowledge; if it fails, Retries still queues a retry, so that
      job may run twice (at least once, as promised).
    - dramatiq's Retries middleware retries a failing job max_attempts - 1 times after
      min..max_backoff_ms (exponential, jittered) through `<queue>.DQ`; then dramatiq
      rejects it and RabbitMQ dead-letters it into `<queue>.XQ` (kept 7 days).
    - `dead` reads `<queue>.XQ` unacknowledged and puts every message back, so listing
      loses nothing. The error is the last line of the message's `traceback` option,
      which Retries writes at each failure: the dead-lettered copy holds the error of the
      attempt before the last (the same for a job that keeps failing the same way), and
      none when max_attempts is 1. RabbitMQ dead-letters asynchronously: `dead` may miss
      a job for a moment after its last attempt.
    - `retry_dead` publishes a fresh copy (retries cleared) before acknowledging the dead
      one: a crash in between duplicates a job, never loses one.
    - `wait_idle`: main and delay queue counts are zero and this process's workers hold no
      message, twice in a row SETTLE_SECONDS apart, since a message on its way from
      RabbitMQ to a consumer is in neither count for an instant.
    - Middleware is explicit: the defaults would add Prometheus (an HTTP server) and
      TimeLimit (asynchronous exceptions raised inside database drivers).
    - Nothing connects before the first call; driver errors become Unavailable.
    """

    def __init__(
        self,
        url: str,
        queue_name: str,
        max_attempts: int = 5,
        min_backoff_ms: int = 1000,
        max_backoff_ms: int = 300_000,
    ) -> None:
        if min_backoff_ms < 1 or max_attempts < 1:
            # Retries reads a min_backoff of 0 as "unset" and waits its default 15 s.
            raise ValueError("max_attempts and min_backoff_ms must be at least 1")
        self._url = url
        self._queue = queue_name
        self._retries = dict(
            max_retries=max_attempts - 1, min_backoff=min_backoff_ms, max_backoff=max_backoff_ms
        )
        self._publisher = self._broker([])
        self._workers: list[Worker] = []
        self._lock = threading.Lock()

    def enqueue(self, jobs: Sequence[Job]) -> None:
        with _guarded():
            for job in jobs:
                message: Message[Any] = Message(
                    queue_name=self._queue,
                    actor_name=ACTOR,
                    args=(job.to_payload(),),
                    kwargs={},
                    options={},
                )
                self._publisher.enqueue(message)

    def consume(self, handler: JobHandler, *, threads: int = 1) -> Consumer:
        broker = self._broker([Retries(**self._retries)])

        def run_job(payload: dict[str, Any]) -> None:
            handler(Job.from_payload(payload))

        dramatiq.actor(run_job, broker=broker, actor_name=ACTOR, queue_name=self._queue)
        with _guarded():
            broker.declare_queue(self._queue, ensure=True)  # fail here, not in a thread
        worker = Worker(broker, worker_threads=threads, worker_timeout=WORKER_TIMEOUT_MS)
        worker.start()
        with self._lock:
            self._workers.append(worker)
        return _WorkerConsumer(self, worker, broker)

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        quiet = 0
        while True:
            quiet = quiet + 1 if self._busy() == 0 else 0
            if quiet == 2:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(SETTLE_SECONDS)

    def dead(self, limit: int = 100) -> list[DeadJob]:
        found: list[DeadJob] = []
        with self._admin_channel() as channel:
            while len(found) < limit:
                method, _, body = channel.basic_get(xq_name(self._queue), auto_ack=False)
                if method is None:
                    break
                found.append(_dead_job(Message.decode(body)))
            if found:  # every one goes back, in its place
                channel.basic_nack(delivery_tag=0, multiple=True, requeue=True)
        return found

    def retry_dead(self) -> int:
        moved = 0
        with self._admin_channel() as channel:
            # Only those dead now: a job failing again meanwhile is not moved twice.
            waiting = channel.queue_declare(xq_name(self._queue), passive=True)
            for _ in range(waiting.method.message_count):
                method, _, body = channel.basic_get(xq_name(self._queue), auto_ack=False)
                if method is None:
                    break
                dead = Message.decode(body)
                fresh = dataclasses.replace(dead, queue_name=self._queue, options={})
                self._publisher.enqueue(fresh)
                channel.basic_ack(method.delivery_tag)
                moved += 1
        return moved

    def close(self) -> None:
        """Close the publishing connections (consumers close with their `stop`)."""
        self._publisher.close()

    def _broker(self, middleware: list[Middleware]) -> RabbitmqBroker:
        return RabbitmqBroker(url=self._url, confirm_delivery=True, middleware=middleware)

    def _busy(self) -> int:
        """Messages queued, waiting for a retry, or held by this process's workers."""
        with self._lock:
            workers = list(self._workers)
        before = sum(_held(worker) for worker in workers)
        with _guarded():
            ready, delayed, _ = self._publisher.get_queue_message_counts(self._queue)
        return before + int(ready) + int(delayed) + sum(_held(worker) for worker in workers)

    def _forget(self, worker: Worker) -> None:
        with self._lock:
            self._workers.remove(worker)

    @contextmanager
    def _admin_channel(self) -> Iterator[Any]:
        """A channel on a connection of its own; closing it requeues what it left unacked."""
        with _guarded():
            self._publisher.declare_queue(self._queue, ensure=True)
            connection = pika.BlockingConnection(pika.URLParameters(self._url))
            try:
                yield connection.channel()
            finally:
                connection.close()


class _WorkerConsumer(Consumer):
    """A dramatiq Worker on a broker of its own."""

    def __init__(self, queue: DramatiqTaskQueue, worker: Worker, broker: RabbitmqBroker) -> None:
        self._queue = queue
        self._worker = worker
        self._broker = broker
        self._stopped = False

    def stop(self, timeout: float = 30.0) -> None:
        if self._stopped:
            return
        self._stopped = True
        # Unacknowledged messages, the running ones included, go back when the consumer
        # connections close; a handler that returns later cannot acknowledge its message.
        self._worker.stop(timeout=int(timeout * 1000))
        self._broker.close()
        self._queue._forget(self._worker)


def _held(worker: Worker) -> int:
    """Messages a Worker took from RabbitMQ and has not settled: waiting for a thread, being
    handled, or held in memory until their retry falls due (what Worker.join waits for)."""
    delayed: int = sum(c.delay_queue.unfinished_tasks for c in list(worker.consumers.values()))
    return int(worker.work_queue.unfinished_tasks) + delayed


# The header line of a traceback's exception ("package.SomeError: what went wrong"); the
# lines after it may be a driver's notes (SQLAlchemy's "[SQL: ...]", "(Background ...)").
_EXCEPTION_LINE = re.compile(r"^[A-Za-z_][\w.]*: \S")


def _dead_job(message: Message[Any]) -> DeadJob:
    traceback = str(message.options.get("traceback") or "")
    headers = [line for line in traceback.splitlines() if _EXCEPTION_LINE.match(line)]
    return DeadJob(
        job=Job.from_payload(message.args[0]),
        error=headers[-1] if headers else "unknown error",
        attempts=int(message.options.get("retries", 0)) + 1,
    )


@contextmanager
def _guarded() -> Iterator[None]:
    try:
        yield
    except DRIVER_ERRORS as exc:
        raise Unavailable("message broker unavailable") from exc


def dramatiq_queue_resource(
    url: str, queue_name: str, max_attempts: int, min_backoff_ms: int, max_backoff_ms: int
) -> Iterator[DramatiqTaskQueue]:
    """A queue for the lifetime of a container; its publishing connections close at shutdown."""
    queue = DramatiqTaskQueue(url, queue_name, max_attempts, min_backoff_ms, max_backoff_ms)
    try:
        yield queue
    finally:
        queue.close()
