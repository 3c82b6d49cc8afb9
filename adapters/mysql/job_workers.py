"""The worker threads of a SqlTaskQueue: claim, run and settle jobs, renewing their leases."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from adapters.mysql.sqlite_writers import background, green
from core.domain.errors import Unavailable
from core.domain.feed import Job
from core.ports.task_queue import Consumer, JobHandler

if TYPE_CHECKING:  # job_queue builds these workers
    from adapters.mysql.job_queue import SqlTaskQueue, _Claim

log = logging.getLogger("chirp.queue")
# Between jobs a green consumer lets requests and its own stop in (SQLite never yields), on
# a timer: gevent may resume a sleep(0) before it polls its sockets.
GREEN_PAUSE = 0.001


class SqlWorkers(Consumer):
    """Worker threads of one SqlTaskQueue, plus one thread renewing their leases."""

    def __init__(self, queue: SqlTaskQueue, handler: JobHandler, threads: int) -> None:
        self._queue = queue
        self._handler = handler
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._held: dict[str, _Claim] = {}
        self._closed = False
        self._threads = [
            threading.Thread(target=self._work, name=f"chirp-sql-jobs-{n}", daemon=True)
            for n in range(threads)
        ]
        self._renewer = threading.Thread(target=self._renew, name="chirp-sql-leases", daemon=True)
        for thread in [*self._threads, self._renewer]:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stopping.set()
        self._queue._changed()  # wakes waiting workers (they see `stopping`)
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        # From here a thread that claims or finishes a job finds it no longer its own.
        with self._lock:
            self._closed = True
            left, self._held = list(self._held.values()), {}
        self._renewer.join(max(0.0, deadline - time.monotonic()))
        self._give_back(left)

    @background()  # requests of this process write first (sqlite_writers)
    def _work(self) -> None:
        while not self._stopping.is_set():
            seen = self._queue._changes
            try:
                claim = self._queue._claim()
                if claim is None:
                    self._queue._wait(seen, self._queue._idle_wait(), self._stopping)
                else:
                    self._run(claim)
                    time.sleep(GREEN_PAUSE if green() else 0)
            except Unavailable:
                log.warning("job table unavailable; trying again", exc_info=True)
                self._stopping.wait(self._queue.poll)

    def _run(self, claim: _Claim) -> None:
        with self._lock:
            mine = not self._closed
            if mine:
                self._held[claim.token] = claim
        if not mine:
            self._give_back([claim])
            return
        error = outcome(self._handler, claim.job)
        with self._lock:
            still_mine = self._held.pop(claim.token, None) is not None
        if still_mine:
            self._queue._settle(claim, error)

    @background()  # requests of this process write first (sqlite_writers)
    def _renew(self) -> None:
        while not self._stopping.wait(self._queue.lease / 3):
            with self._lock:
                claims = list(self._held.values())
            try:
                self._queue._renew(claims)
            except Unavailable:
                log.warning("could not renew job leases", exc_info=True)

    def _give_back(self, claims: Sequence[_Claim]) -> None:
        try:
            self._queue._release(claims)
        except Unavailable:
            log.warning("could not give back %d jobs; their leases run out", len(claims))


def outcome(handler: JobHandler, job: Job) -> BaseException | None:
    """Run `handler` on `job`; the exception it raised, or None."""
    try:
        handler(job)
    except Exception as exc:  # the queue records it and retries
        log.warning("job %s (%s) failed", job.id, job.kind, exc_info=True)
        return exc
    return None
