"""Contract of TaskQueue: every job handled at least once, retried, dead-lettered, never lost.

The same cases run on the memory queue, the SQL queue (a SQLite file, and MariaDB) and
dramatiq on RabbitMQ, each built with MAX_ATTEMPTS attempts and back-offs of milliseconds.
Waits are bounded by timeouts and end as soon as the awaited thing happens.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.memory import FakeClock
from adapters.mysql import tables
from adapters.mysql.engine import make_engine
from adapters.mysql.job_queue import SqlTaskQueue
from adapters.system.clock import SystemClock
from core.domain.errors import Unavailable
from core.domain.feed import Job, JobKind
from core.ports.task_queue import Consumer, JobHandler, TaskQueue
from tests.contract import queue_backends
from tests.contract.builders import Maker
from tests.contract.queue_backends import MAX_ATTEMPTS

BACKENDS = [
    "memory",
    "sql",
    pytest.param("mysql", marks=pytest.mark.integration),
    pytest.param("rabbitmq", marks=pytest.mark.integration),
]
WAIT = 20.0  # seconds: a bound on every wait, far above what a passing run needs
T = TypeVar("T")


@pytest.fixture(params=BACKENDS)
def task_queue(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TaskQueue]:
    if request.param == "memory":
        yield queue_backends.memory_queue()
        return
    if request.param == "rabbitmq":
        queue, cleanup = queue_backends.rabbitmq_queue()
        yield queue
        cleanup()
        return
    engine = (
        queue_backends.sqlite_engine(tmp_path)
        if request.param == "sql"
        else queue_backends.mysql_engine()
    )
    yield queue_backends.sql_queue_on(engine)
    engine.dispose()


@pytest.fixture
def consume(task_queue: TaskQueue) -> Iterator[Callable[..., Consumer]]:
    """`consume(handler, threads=1)` on the queue under test; stopped after the test."""
    started: list[Consumer] = []

    def start(handler: JobHandler, threads: int = 1) -> Consumer:
        consumer = task_queue.consume(handler, threads=threads)
        started.append(consumer)
        return consumer

    yield start
    for consumer in started:
        consumer.stop(timeout=1.0)


class Recorder:
    """A handler that records each run, fails a job's first `failures[job.id]` runs (or
    every run, for ids in `broken`), and notes any job run twice at the same time."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.runs: Counter[int] = Counter()
        self.done: list[int] = []
        self.failures: dict[int, int] = {}
        self.broken: set[int] = set()
        self.running: set[int] = set()
        self.overlaps: list[int] = []

    def __call__(self, job: Job) -> None:
        with self.lock:
            self.runs[job.id] += 1
            if job.id in self.running:
                self.overlaps.append(job.id)
            self.running.add(job.id)
            fail = job.id in self.broken or self.runs[job.id] <= self.failures.get(job.id, 0)
        time.sleep(0.001)  # long enough for a second run of the same job to overlap
        with self.lock:
            self.running.discard(job.id)
            if fail:
                raise RuntimeError("handler broke")
            self.done.append(job.id)


class Blocker:
    """A handler that signals `started`, holds its job until `release` is set, then
    returns and signals `finished`."""

    def __init__(self) -> None:
        self.started = threading.Event()
        self.release = threading.Event()
        self.finished = threading.Event()

    def __call__(self, job: Job) -> None:
        self.started.set()
        self.release.wait(WAIT)
        self.finished.set()


def eventually(read: Callable[[], T], timeout: float = WAIT) -> T:
    """`read()` once it gives something truthy (RabbitMQ dead-letters asynchronously)."""
    deadline = time.monotonic() + timeout
    while not (value := read()) and time.monotonic() < deadline:
        time.sleep(0.02)
    return value


def jobs(make: Maker, count: int) -> list[Job]:
    return [make.job(make.new_id(), make.new_id(), reader_ids=[1, 2**40]) for _ in range(count)]


def test_every_enqueued_job_is_handled_and_never_twice_at_once(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    early, late = jobs(make, 10), jobs(make, 10)
    recorder = Recorder()
    task_queue.enqueue(early)
    consume(recorder, threads=4)
    task_queue.enqueue(late)
    assert task_queue.wait_idle(WAIT)
    assert set(recorder.done) == {job.id for job in early + late}
    assert recorder.overlaps == []


def test_a_job_reaches_the_handler_equal_to_what_was_enqueued(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    sent = [make.job(make.new_id(), make.new_id(), kind, [7, 3, 2**40]) for kind in JobKind]
    received: list[Job] = []
    task_queue.enqueue(sent)
    consume(received.append)
    assert task_queue.wait_idle(WAIT)
    assert sorted(received, key=lambda job: job.id) == sent


def test_a_job_whose_handler_fails_twice_then_succeeds_is_handled(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    [job] = jobs(make, 1)
    recorder = Recorder()
    recorder.failures[job.id] = 2
    task_queue.enqueue([job])
    consume(recorder)
    assert task_queue.wait_idle(WAIT)
    assert recorder.done == [job.id]
    assert recorder.runs[job.id] == 3
    assert task_queue.dead() == []


def test_a_job_that_always_fails_is_dead_after_exactly_max_attempts_with_its_error(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    [job] = jobs(make, 1)
    recorder = Recorder()
    recorder.broken.add(job.id)
    task_queue.enqueue([job])
    consume(recorder)
    assert task_queue.wait_idle(WAIT)
    [dead] = eventually(task_queue.dead)
    assert (dead.job, dead.attempts) == (job, MAX_ATTEMPTS)
    assert "RuntimeError: handler broke" in dead.error
    assert recorder.runs[job.id] == MAX_ATTEMPTS
    assert task_queue.dead() == [dead], "listing dead jobs must not take them away"


def test_retry_dead_runs_dead_jobs_again_with_fresh_attempts(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    [job] = jobs(make, 1)
    recorder = Recorder()
    recorder.broken.add(job.id)
    task_queue.enqueue([job])
    consume(recorder)
    eventually(task_queue.dead)
    recorder.broken.clear()
    recorder.failures[job.id] = 2 * MAX_ATTEMPTS - 1  # the new round succeeds at its last try
    assert task_queue.retry_dead() == 1
    assert task_queue.wait_idle(WAIT)
    assert recorder.done == [job.id]
    assert recorder.runs[job.id] == 2 * MAX_ATTEMPTS
    assert task_queue.dead() == []
    assert task_queue.retry_dead() == 0


def test_dead_lists_at_most_limit_jobs_oldest_first(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    first, second = jobs(make, 2)
    recorder = Recorder()
    recorder.broken |= {first.id, second.id}
    consume(recorder)
    task_queue.enqueue([first])
    assert eventually(task_queue.dead)
    task_queue.enqueue([second])
    assert eventually(lambda: len(task_queue.dead()) == 2)
    assert [dead.job for dead in task_queue.dead(limit=1)] == [first]
    assert [dead.job for dead in task_queue.dead()] == [first, second]


def test_a_job_enqueued_while_no_consumer_runs_waits_for_one(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    [job] = jobs(make, 1)
    task_queue.enqueue([job])
    assert not task_queue.wait_idle(0.2)
    recorder = Recorder()
    consume(recorder)
    assert task_queue.wait_idle(WAIT)
    assert recorder.done == [job.id]


def test_wait_idle_waits_for_a_job_in_flight(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    blocker = Blocker()
    task_queue.enqueue(jobs(make, 1))
    consume(blocker)
    assert blocker.started.wait(WAIT)
    assert not task_queue.wait_idle(0.2)
    blocker.release.set()
    assert task_queue.wait_idle(WAIT)


def test_a_consumer_stopped_while_its_handler_runs_gives_the_job_to_the_next_consumer(
    task_queue: TaskQueue, consume: Callable[..., Consumer], make: Maker
) -> None:
    [job] = jobs(make, 1)
    blocker, recorder = Blocker(), Recorder()
    task_queue.enqueue([job])
    first = consume(blocker)
    assert blocker.started.wait(WAIT)
    first.stop(timeout=0.1)  # the handler is still running: its job is not acknowledged
    consume(recorder)
    assert task_queue.wait_idle(WAIT)
    assert recorder.done == [job.id]
    blocker.release.set()  # the first handler returns late, which must change nothing
    assert blocker.finished.wait(WAIT)
    assert task_queue.wait_idle(WAIT)
    assert task_queue.dead() == []
    assert recorder.done == [job.id]


@pytest.mark.parametrize("backend", ["memory", "sql", "mysql", "rabbitmq"])
def test_enqueue_on_a_backend_that_is_down_raises_unavailable(
    make: Maker, tmp_path: Path, backend: str
) -> None:
    queue = queue_backends.down_queue(backend, tmp_path)
    with pytest.raises(Unavailable):
        queue.enqueue(jobs(make, 1))


# InMemoryTaskQueue only: `jobs` and `drain`, which the unit-test harness runs jobs with.


def test_the_memory_queue_lists_pending_jobs_in_order(make: Maker) -> None:
    queue = queue_backends.memory_queue()
    first, second, third = jobs(make, 3)
    queue.enqueue([first, second])
    queue.enqueue([third])
    assert queue.jobs == [first, second, third]


def test_drain_runs_jobs_first_in_first_out_and_counts_them(make: Maker) -> None:
    queue = queue_backends.memory_queue()
    sent = jobs(make, 3)
    queue.enqueue(sent)
    ran: list[Job] = []
    assert queue.drain(ran.append) == 3
    assert ran == sent
    assert queue.jobs == []


def test_drain_also_runs_jobs_enqueued_while_draining(make: Maker) -> None:
    queue = queue_backends.memory_queue()
    ran: list[JobKind] = []

    def run(job: Job) -> None:
        ran.append(job.kind)
        if job.kind is JobKind.FANOUT:
            queue.enqueue(
                [make.job(job.tweet_id, job.author_id, JobKind.FANOUT_BATCH, [n]) for n in range(2)]
            )

    queue.enqueue(jobs(make, 1))
    assert queue.drain(run) == 3
    assert ran == [JobKind.FANOUT, JobKind.FANOUT_BATCH, JobKind.FANOUT_BATCH]


def test_drain_lets_a_failing_job_raise_to_the_test(make: Maker) -> None:
    queue = queue_backends.memory_queue()
    queue.enqueue(jobs(make, 1))
    recorder = Recorder()
    recorder.broken.update(job.id for job in queue.jobs)
    with pytest.raises(RuntimeError, match="handler broke"):
        queue.drain(recorder)


def test_a_memory_queue_switched_off_keeps_nothing(make: Maker) -> None:
    queue = queue_backends.memory_queue()
    queue.available = False
    with pytest.raises(Unavailable):
        queue.enqueue(jobs(make, 1))
    assert queue.jobs == []


# SqlTaskQueue only: leases, several processes, wake-ups. Time is the fake clock's.

SQL_BACKENDS = ["sql", pytest.param("mysql", marks=pytest.mark.integration)]
LEASE = 5.0


@pytest.fixture(params=SQL_BACKENDS)
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    engine = (
        queue_backends.sqlite_engine(tmp_path)
        if request.param == "sql"
        else queue_backends.mysql_engine()
    )
    yield engine
    engine.dispose()


def test_a_job_claimed_by_a_process_that_died_runs_again_once_its_lease_runs_out(
    engine: Engine, clock: FakeClock, make: Maker
) -> None:
    dying, survivor = (queue_backends.sql_queue_on(engine, clock, LEASE) for _ in range(2))
    [job] = jobs(make, 1)
    dying.enqueue([job])
    recorder, taken = Recorder(), {}

    def die(job: Job) -> None:  # the process holding the job stops renewing its lease
        taken["while the lease holds"] = survivor.run_one(recorder)
        clock.advance(LEASE + 1)
        taken["once it ran out"] = survivor.run_one(recorder)

    assert dying.run_one(die)
    assert taken == {"while the lease holds": False, "once it ran out": True}
    assert recorder.done == [job.id]


def test_a_handler_returning_after_its_lease_passed_on_changes_nothing(
    engine: Engine, clock: FakeClock, make: Maker
) -> None:
    slow, other = (queue_backends.sql_queue_on(engine, clock, LEASE) for _ in range(2))
    [job] = jobs(make, 1)
    slow.enqueue([job])
    failing = Recorder()
    failing.broken.add(job.id)

    def outlive_the_lease(job: Job) -> None:
        clock.advance(LEASE + 1)
        assert other.run_one(failing)  # takes the job over and fails: one attempt counted

    assert slow.run_one(outlive_the_lease)  # returns fine, but may not delete the job
    clock.advance(1)
    recorder = Recorder()
    assert other.run_one(recorder)
    assert recorder.done == [job.id]


def test_a_running_job_keeps_its_lease_while_its_consumer_renews_it(
    engine: Engine, clock: FakeClock, make: Maker
) -> None:
    owner, other = (queue_backends.sql_queue_on(engine, clock, lease=0.3) for _ in range(2))
    [job] = jobs(make, 1)
    owner.enqueue([job])
    blocker = Blocker()
    consumer = owner.consume(blocker)
    try:
        assert blocker.started.wait(WAIT)
        first_lease_ends = _lease_end(engine, job)
        clock.advance(0.2)
        assert eventually(lambda: _lease_end(engine, job) > first_lease_ends), "not renewed"
        clock.advance(0.2)  # past the first lease, within the renewed one
        assert not other.run_one(Recorder())
    finally:
        blocker.release.set()
        consumer.stop(timeout=WAIT)
    assert owner.wait_idle(WAIT)


def test_two_processes_share_the_jobs_and_never_run_one_twice_at_once(
    engine: Engine, make: Maker
) -> None:
    second_engine = make_engine(engine.url)
    here, there = queue_backends.sql_queue_on(engine), queue_backends.sql_queue_on(second_engine)
    sent, recorder = jobs(make, 30), Recorder()
    consumers = [here.consume(recorder, threads=3), there.consume(recorder, threads=3)]
    try:
        here.enqueue(sent)
        assert here.wait_idle(WAIT)
    finally:
        for consumer in consumers:
            consumer.stop(timeout=WAIT)
        second_engine.dispose()
    assert set(recorder.done) == {job.id for job in sent}
    assert recorder.overlaps == []


def test_a_job_id_enqueued_twice_stays_one_job(engine: Engine, make: Maker) -> None:
    queue = queue_backends.sql_queue_on(engine)
    [job] = jobs(make, 1)
    queue.enqueue([job])
    queue.enqueue([job])
    recorder = Recorder()
    assert queue.run_one(recorder)
    assert not queue.run_one(recorder)
    assert recorder.done == [job.id]


class _EnqueueAfterAnEmptyLook(SqlTaskQueue):
    """Enqueues `late` after a worker found nothing to claim and worked out how long to
    wait, just before it waits: the last moment a wake-up can be missed."""

    late: Job | None = None
    enqueued = threading.Event()

    def _idle_wait(self) -> float:
        seconds = super()._idle_wait()
        if self.late is not None:
            late, self.late = self.late, None
            self.enqueue([late])
            self.enqueued.set()
        return seconds


def test_a_job_enqueued_between_a_workers_empty_look_and_its_wait_wakes_it(
    engine: Engine, make: Maker
) -> None:
    # With an hour between polls, only the wake-up can make the worker run the job.
    queue = _EnqueueAfterAnEmptyLook(engine, SystemClock(), poll=3600)
    queue.enqueued = threading.Event()
    [queue.late] = jobs(make, 1)
    recorder = Recorder()
    consumer = queue.consume(recorder)
    try:
        assert queue.enqueued.wait(WAIT)
        assert queue.wait_idle(WAIT)
        assert len(recorder.done) == 1
    finally:
        consumer.stop(timeout=WAIT)


def test_of_two_workers_racing_for_one_job_only_the_first_to_claim_it_runs_it(
    engine: Engine, make: Maker
) -> None:
    racer, rival = (queue_backends.sql_queue_on(engine) for _ in range(2))
    [job] = jobs(make, 1)
    racer.enqueue([job])
    rival_claims: list[Any] = []

    def rival_claims_first(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # Runs when the racer has seen the job due and is about to claim it.
        if statement.startswith("UPDATE jobs SET") and not rival_claims:
            rival_claims.append(None)
            rival_claims[0] = rival._claim()

    recorder = Recorder()
    sa.event.listen(engine, "before_cursor_execute", rival_claims_first)
    try:
        assert not racer.run_one(recorder)
    finally:
        sa.event.remove(engine, "before_cursor_execute", rival_claims_first)
    assert recorder.runs == {}
    assert rival_claims[0].job == job


def _lease_end(engine: Engine, job: Job) -> datetime:
    with engine.connect() as conn:
        end: datetime = conn.execute(
            sa.select(tables.jobs.c.available_at).where(tables.jobs.c.job_id == job.id)
        ).scalar_one()
    return end
