"""Contract of the in-memory TaskQueue: jobs wait in order until drained."""

from __future__ import annotations

import pytest

from adapters.memory import InMemoryTaskQueue
from core.domain.errors import Unavailable
from core.domain.feed import Job, JobKind
from tests.contract.builders import Maker


# Only the memory queue has `jobs` and `drain`; the real queues are tested with their workers.
@pytest.fixture(params=["memory"])
def task_queue() -> InMemoryTaskQueue:
    return InMemoryTaskQueue()


def test_enqueued_jobs_wait_in_order(task_queue: InMemoryTaskQueue, make: Maker) -> None:
    first, second, third = (make.job(make.new_id(), make.new_id()) for _ in range(3))
    task_queue.enqueue([first, second])
    task_queue.enqueue([third])
    assert task_queue.jobs == [first, second, third]


def test_drain_runs_jobs_first_in_first_out_and_counts_them(task_queue: InMemoryTaskQueue,
                                                            make: Maker) -> None:
    jobs = [make.job(make.new_id(), make.new_id()) for _ in range(3)]
    task_queue.enqueue(jobs)
    ran: list[Job] = []
    assert task_queue.drain(ran.append) == 3
    assert ran == jobs
    assert task_queue.jobs == []


def test_drain_also_runs_jobs_enqueued_while_draining(task_queue: InMemoryTaskQueue,
                                                      make: Maker) -> None:
    parent = make.job(make.new_id(), make.new_id())
    ran: list[JobKind] = []

    def run(job: Job) -> None:
        ran.append(job.kind)
        if job.kind is JobKind.FANOUT:
            batches = [make.job(job.tweet_id, job.author_id, JobKind.FANOUT_BATCH, [n])
                       for n in range(2)]
            task_queue.enqueue(batches)

    task_queue.enqueue([parent])
    assert task_queue.drain(run) == 3
    assert ran == [JobKind.FANOUT, JobKind.FANOUT_BATCH, JobKind.FANOUT_BATCH]


def test_draining_an_empty_queue_runs_nothing(task_queue: InMemoryTaskQueue) -> None:
    assert task_queue.drain(lambda job: None) == 0


def test_a_queue_switched_off_raises_unavailable_and_keeps_nothing(
        task_queue: InMemoryTaskQueue, make: Maker) -> None:
    task_queue.available = False
    with pytest.raises(Unavailable):
        task_queue.enqueue([make.job(make.new_id(), make.new_id())])
    assert task_queue.jobs == []
