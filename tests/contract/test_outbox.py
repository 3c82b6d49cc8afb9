"""Contract of Outbox: jobs recorded with the change, read oldest first, then forgotten."""

from __future__ import annotations

import dataclasses

import pytest

from core.domain.feed import JobKind
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker


def test_pending_gives_recorded_jobs_oldest_first(uow: UnitOfWork, make: Maker) -> None:
    jobs = [make.job(make.new_id(), make.new_id()) for _ in range(3)]
    with uow:
        for job in jobs:
            uow.outbox.add(job)
        assert uow.outbox.pending(10) == jobs


def test_pending_gives_at_most_limit_jobs(uow: UnitOfWork, make: Maker) -> None:
    jobs = [make.job(make.new_id(), make.new_id()) for _ in range(4)]
    with uow:
        for job in jobs:
            uow.outbox.add(job)
        assert uow.outbox.pending(2) == jobs[:2]


@pytest.mark.parametrize("kind", list(JobKind))
def test_a_job_reads_back_equal_with_its_reader_ids(
    uow: UnitOfWork, make: Maker, kind: JobKind
) -> None:
    job = make.job(make.new_id(), make.new_id(), kind=kind, reader_ids=[7, 3, 2**40])
    with uow:
        uow.outbox.add(job)
        assert uow.outbox.pending(1) == [job]


def test_an_empty_outbox_has_nothing_pending(uow: UnitOfWork) -> None:
    with uow:
        assert uow.outbox.pending(10) == []


def test_published_jobs_are_no_longer_pending(uow: UnitOfWork, make: Maker) -> None:
    a, b, c = (make.job(make.new_id(), make.new_id()) for _ in range(3))
    with uow:
        for job in (a, b, c):
            uow.outbox.add(job)
        uow.outbox.mark_published([a.id, c.id])
        assert uow.outbox.pending(10) == [b]


def test_marking_published_again_or_unknown_ids_is_harmless(uow: UnitOfWork, make: Maker) -> None:
    job = make.job(make.new_id(), make.new_id())
    with uow:
        uow.outbox.add(job)
        uow.outbox.mark_published([job.id])
        uow.outbox.mark_published([job.id, make.new_id()])
        uow.outbox.mark_published([])
        assert uow.outbox.pending(10) == []


def test_a_job_recorded_in_a_rolled_back_block_never_becomes_pending(
    uow: UnitOfWork, make: Maker
) -> None:
    kept, lost = make.job(make.new_id(), make.new_id()), make.job(make.new_id(), make.new_id())
    with uow:
        uow.outbox.add(kept)
        uow.commit()
    with uow:
        uow.outbox.add(lost)
    with uow:
        assert uow.outbox.pending(10) == [kept]


def test_count_is_the_number_of_unpublished_jobs(uow: UnitOfWork, make: Maker) -> None:
    jobs = [make.job(make.new_id(), make.new_id()) for _ in range(3)]
    with uow:
        assert uow.outbox.count() == 0
        for job in jobs:
            uow.outbox.add(job)
        uow.outbox.add(jobs[0])  # recorded twice, still one job
        assert uow.outbox.count() == 3
        uow.outbox.mark_published([jobs[1].id])
        assert uow.outbox.count() == 2


def test_a_job_keeps_the_request_id_that_recorded_it(uow: UnitOfWork, make: Maker) -> None:
    job = dataclasses.replace(make.job(make.new_id(), make.new_id()), request_id="req-42.a_b")
    with uow:
        uow.outbox.add(job)
        assert uow.outbox.pending(10) == [job]
