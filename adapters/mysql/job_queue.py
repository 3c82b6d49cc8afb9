"""SqlTaskQueue: the embedded profile's durable task queue, a `jobs` table worked by leases."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, Row

from adapters.mysql import rows
from adapters.mysql.base import guarded, insert_ignore
from adapters.mysql.job_workers import SqlWorkers, outcome
from adapters.mysql.tables import jobs
from core.domain.feed import DeadJob, Job
from core.ports.clock import Clock
from core.ports.task_queue import Consumer, JobHandler, TaskQueue

log = logging.getLogger("chirp.queue")
CANDIDATES = 4  # due rows a worker looks at per claim, so racing workers rarely all miss
LIVE, DEAD = jobs.c.dead == sa.false(), jobs.c.dead == sa.true()
FRESH: dict[str, Any] = dict(dead=False, attempts=0, error=None, failed_at=None, lease=None)


@dataclass(frozen=True, slots=True)
class _Claim:
    job: Job
    token: str
    failures: int


class SqlTaskQueue(TaskQueue):
    """Jobs as rows of `jobs` (SQLite file or MariaDB), run by threads of any process.

    - `enqueue` inserts the rows in its own transaction; a job id already queued stays one
      row (the outbox relay may publish a job twice).
    - Claiming is one conditional UPDATE: a row that is live and due (available_at <= now)
      gets a fresh lease token and available_at = now + lease. Of two threads or processes
      racing for a row the second matches nothing, so a job never runs twice at once.
    - Only the holder of the current token deletes the row (success) or reschedules it
      (failure): a handler that returns after its lease went to someone else changes
      nothing. While a handler runs its consumer renews the lease every lease/3 seconds;
      a process killed -9 stops renewing and its job is claimed again when the lease ends.
    - A failure counts an attempt; the next try is min_backoff * 2**(failures - 1) seconds
      later (at most max_backoff); after max_attempts the row stays, flagged dead, with
      its error, until `retry_dead`.
    - Workers wait on a condition that every change made in this process bumps, or until
      the next row falls due, or `poll` seconds (for other processes' rows). They note the
      change count before looking, so a change between an empty look and the wait wakes them.
    - `wait_idle` waits for no live row at all: jobs leased by other processes count too.
    - Times come from the Clock port. Needs a file database or MariaDB: an in-memory
      SQLite engine shares one connection between threads.
    """

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        max_attempts: int = 5,
        min_backoff: float = 1.0,
        max_backoff: float = 300.0,
        lease: float = 30.0,
        poll: float = 1.0,
    ) -> None:
        self._engine = engine
        self._clock = clock
        self.max_attempts = max_attempts
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self.lease = lease
        self.poll = poll
        self._cond = threading.Condition()
        self._changes = 0

    def enqueue(self, jobs_: Sequence[Job]) -> None:
        if not jobs_:
            return
        now = self._clock.now()
        self._write(insert_ignore(jobs), [rows.queued_job_values(job, now) for job in jobs_])
        self._changed()

    def consume(self, handler: JobHandler, *, threads: int = 1) -> Consumer:
        return SqlWorkers(self, handler, threads)

    def wait_idle(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while True:
            seen = self._changes
            live: int = self._read(sa.select(sa.func.count()).where(LIVE))[0][0]
            left = deadline - time.monotonic()
            if live == 0 or left <= 0:
                return live == 0
            self._wait(seen, min(left, self.poll))

    def dead(self, limit: int = 100) -> list[DeadJob]:
        stmt = sa.select(jobs).where(DEAD).order_by(jobs.c.failed_at, jobs.c.job_id).limit(limit)
        return [rows.dead_job_from(row) for row in self._read(stmt)]

    def retry_dead(self) -> int:
        fresh = {**FRESH, "available_at": self._clock.now()}
        revived = self._write(sa.update(jobs).where(DEAD).values(fresh))
        self._changed()
        return revived

    def run_one(self, handler: JobHandler) -> bool:
        """Run one due job in this thread, lease not renewed (one-shot workers, tests that
        step); False if none was due."""
        claim = self._claim()
        if claim is None:
            return False
        self._settle(claim, outcome(handler, claim.job))
        return True

    def _claim(self) -> _Claim | None:
        """Take a due job under a new lease; None when no job is due."""
        while True:
            now = self._clock.now()
            due = sa.and_(LIVE, jobs.c.available_at <= now)
            look = (
                sa.select(jobs.c.job_id, jobs.c.payload, jobs.c.attempts)
                .where(due)
                .order_by(jobs.c.available_at, jobs.c.job_id)
                .limit(CANDIDATES)
            )
            candidates = self._read(look)
            if not candidates:
                return None
            for row in candidates:
                token = uuid.uuid4().hex
                take = (
                    sa.update(jobs)
                    .where(due, jobs.c.job_id == row.job_id, jobs.c.attempts == row.attempts)
                    .values(lease=token, available_at=now + timedelta(seconds=self.lease))
                )
                if self._write(take) == 1:
                    return _Claim(rows.queued_job_from(row), token, row.attempts)
            # Every candidate went to a racing worker: look again.

    def _settle(self, claim: _Claim, error: BaseException | None) -> None:
        """Delete a succeeded job, or count the failure; only while `claim` holds it."""
        held = sa.and_(jobs.c.job_id == claim.job.id, jobs.c.lease == claim.token)
        stmt: sa.Executable = sa.delete(jobs).where(held)
        if error is not None:
            stmt = sa.update(jobs).where(held).values(self._failure(claim, error))
        self._write(stmt)
        self._changed()

    def _renew(self, claims: Sequence[_Claim]) -> None:
        """Push the leases of jobs still running here to now + lease."""
        self._update_held(claims, available_at=self._clock.now() + timedelta(seconds=self.lease))

    def _release(self, claims: Sequence[_Claim]) -> None:
        """Give jobs back unfinished (no attempt counted): due again at once."""
        self._update_held(claims, lease=None, available_at=self._clock.now())
        self._changed()

    def _idle_wait(self) -> float:
        """Seconds a worker that found nothing waits: until the next row falls due, or
        `poll` seconds (for rows other processes add)."""
        earliest = sa.select(sa.func.min(jobs.c.available_at)).where(LIVE)
        due: datetime | None = self._read(earliest)[0][0]
        if due is None:
            return self.poll
        return max(0.0, min(self.poll, (due - self._clock.now()).total_seconds()))

    def _wait(self, seen: int, timeout: float, stopping: threading.Event | None = None) -> None:
        """Wait up to `timeout` seconds for a change after `seen` (or for `stopping`)."""
        with self._cond:
            self._cond.wait_for(
                lambda: self._changes != seen or (stopping is not None and stopping.is_set()),
                timeout,
            )

    def _changed(self) -> None:
        with self._cond:
            self._changes += 1
            self._cond.notify_all()

    def _failure(self, claim: _Claim, error: BaseException) -> dict[str, Any]:
        failures, now = claim.failures + 1, self._clock.now()
        values = dict(attempts=failures, lease=None, error=_one_line(error))
        if failures >= self.max_attempts:
            return {**values, "dead": True, "failed_at": now}
        delay = min(self.max_backoff, self.min_backoff * 2 ** (failures - 1))
        return {**values, "available_at": now + timedelta(seconds=delay)}

    def _update_held(self, claims: Sequence[_Claim], **values: Any) -> None:
        if claims:
            ids, tokens = [c.job.id for c in claims], [c.token for c in claims]
            held = sa.and_(jobs.c.job_id.in_(ids), jobs.c.lease.in_(tokens))
            self._write(sa.update(jobs).where(held).values(values))

    def _write(self, stmt: sa.Executable, params: Any = None) -> int:
        """Run one statement in its own transaction; the rows it matched."""
        with guarded(), self._engine.begin() as conn:
            return conn.execute(stmt, params).rowcount

    def _read(self, stmt: sa.Executable) -> Sequence[Row[Any]]:
        with guarded(), self._engine.connect() as conn:
            return conn.execute(stmt).all()


def _one_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text.splitlines()[0][:1000]  # the column is TEXT; a line is enough
