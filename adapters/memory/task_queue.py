"""InMemoryTaskQueue: jobs held in memory, run by `drain` (unit tests) or worker threads."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from adapters.memory.switch import Switch
from core.domain.feed import DeadJob, Job
from core.ports.task_queue import Consumer, JobHandler, TaskQueue


@dataclass(slots=True)
class _Entry:
    job: Job
    failures: int = 0


class InMemoryTaskQueue(Switch, TaskQueue):
    """The task queue of the memory profile and the unit tests, lost when the process ends.

    - `drain(run)` runs every pending job in the caller's thread, first in first out, with
      no retry: a failing job's exception reaches the test.
    - Worker threads (`consume`) take a job under a ticket. Its outcome counts only while
      the ticket is held: `Consumer.stop` puts a job whose handler has not returned back
      at the front of the queue and voids the ticket, so when that handler returns later
      nothing changes (another consumer runs the job again: at least once).
    - A failed job is tried again after min_backoff * 2**(failures - 1) seconds (at most
      max_backoff); after `max_attempts` failures it is dead, with its last error.
    - With `available = False` enqueue, consume, dead and retry_dead raise Unavailable.
    """

    def __init__(
        self, *, max_attempts: int = 3, min_backoff: float = 0.001, max_backoff: float = 0.05
    ) -> None:
        super().__init__()
        self.max_attempts = max_attempts
        self.min_backoff = min_backoff
        self.max_backoff = max_backoff
        self._cond = threading.Condition()
        self._ready: deque[_Entry] = deque()
        self._waiting: list[tuple[float, int, _Entry]] = []  # a heap by due time
        self._running: dict[int, tuple[_Entry, _Workers]] = {}
        self._dead: list[DeadJob] = []
        self._tickets = itertools.count()

    def enqueue(self, jobs: Sequence[Job]) -> None:
        self.check()
        self._interleave("enqueue")
        with self._cond:
            self._ready.extend(_Entry(job) for job in jobs)
            self._cond.notify_all()

    @property
    def jobs(self) -> list[Job]:
        """The pending jobs, oldest first, then those waiting for a retry."""
        with self._cond:
            waiting = [entry.job for _, _, entry in sorted(self._waiting)]
            return [entry.job for entry in self._ready] + waiting

    def drain(self, run: Callable[[Job], None]) -> int:
        """Run pending jobs first in, first out until none remain; how many ran."""
        ran = 0
        while (entry := self._pop_any()) is not None:
            run(entry.job)
            ran += 1
        return ran

    def consume(self, handler: JobHandler, *, threads: int = 1) -> Consumer:
        self.check()
        return _Workers(self, handler, threads)

    def wait_idle(self, timeout: float) -> bool:
        with self._cond:
            idle = lambda: not (self._ready or self._waiting or self._running)  # noqa: E731
            return self._cond.wait_for(idle, timeout)

    def dead(self, limit: int = 100) -> list[DeadJob]:
        self.check()
        with self._cond:
            return self._dead[:limit]

    def retry_dead(self) -> int:
        self.check()
        with self._cond:
            revived, self._dead = self._dead, []
            self._ready.extend(_Entry(dead.job) for dead in revived)
            self._cond.notify_all()
            return len(revived)

    def _pop_any(self) -> _Entry | None:
        with self._cond:
            if self._ready:
                return self._ready.popleft()
            if self._waiting:
                return heapq.heappop(self._waiting)[2]
            return None

    def _take(self, workers: _Workers) -> tuple[int, Job] | None:
        """The next job due, under a new ticket; None once `workers` is stopping."""
        with self._cond:
            while not workers.stopping:
                now = time.monotonic()
                while self._waiting and self._waiting[0][0] <= now:
                    self._ready.append(heapq.heappop(self._waiting)[2])
                if self._ready:
                    entry = self._ready.popleft()
                    ticket = next(self._tickets)
                    self._running[ticket] = (entry, workers)
                    return ticket, entry.job
                due = self._waiting[0][0] - now if self._waiting else None
                self._cond.wait(due)
            return None

    def _settle(self, ticket: int, error: BaseException | None) -> None:
        """Record a handler's outcome, unless its ticket was voided by a stop."""
        with self._cond:
            held = self._running.pop(ticket, None)
            if held is not None and error is not None:
                self._failed(held[0], error)
            self._cond.notify_all()

    def _failed(self, entry: _Entry, error: BaseException) -> None:
        entry.failures += 1
        if entry.failures >= self.max_attempts:
            self._dead.append(
                DeadJob(job=entry.job, error=_one_line(error), attempts=entry.failures)
            )
            return
        delay = min(self.max_backoff, self.min_backoff * 2 ** (entry.failures - 1))
        heapq.heappush(self._waiting, (time.monotonic() + delay, next(self._tickets), entry))

    def _give_back(self, workers: _Workers) -> None:
        """Void the tickets `workers` still hold and queue their jobs again, first."""
        with self._cond:
            for ticket, (entry, owner) in list(self._running.items()):
                if owner is workers:
                    del self._running[ticket]
                    self._ready.appendleft(entry)
            self._cond.notify_all()

    def _wake(self) -> None:
        with self._cond:
            self._cond.notify_all()


class _Workers(Consumer):
    """Daemon threads taking jobs from one InMemoryTaskQueue until stopped."""

    def __init__(self, queue: InMemoryTaskQueue, handler: JobHandler, threads: int) -> None:
        self._queue = queue
        self._handler = handler
        self.stopping = False
        self._threads = [
            threading.Thread(target=self._work, name=f"chirp-memory-jobs-{n}", daemon=True)
            for n in range(threads)
        ]
        for thread in self._threads:
            thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self.stopping = True
        self._queue._wake()
        deadline = time.monotonic() + timeout
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))
        self._queue._give_back(self)

    def _work(self) -> None:
        while (taken := self._queue._take(self)) is not None:
            ticket, job = taken
            try:
                self._handler(job)
            except Exception as exc:  # the queue records it and retries; the thread goes on
                self._queue._settle(ticket, exc)
            else:
                self._queue._settle(ticket, None)


def _one_line(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return text.splitlines()[0]
