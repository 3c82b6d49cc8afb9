"""InProcessTaskQueue: the embedded default's queue, running jobs on a thread after commit."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence

from core.domain.feed import Job
from core.ports.task_queue import TaskQueue

log = logging.getLogger("chirp.queue")
ATTEMPTS = 3


class InProcessTaskQueue(TaskQueue):
    """Runs each job on one background thread of this process, in the order enqueued.

    A failing job is retried (3 attempts with a short back-off) and then logged with its
    payload; jobs are idempotent, so a retry is safe. Jobs live in memory: this queue is for
    the single-process embedded profile, where the outbox has already recorded them.
    """

    def __init__(self) -> None:
        self._jobs: queue.Queue[Job] = queue.Queue()
        self._run: Callable[[Job], None] | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def bind(self, run: Callable[[Job], None]) -> None:
        """Name what executes a job (the fan-out service), before the first enqueue."""
        self._run = run

    def enqueue(self, jobs: Sequence[Job]) -> None:
        self._start()
        for job in jobs:
            self._jobs.put(job)

    def join(self, timeout: float = 10.0) -> bool:
        """Wait until every enqueued job ran; False on timeout (for tests and shutdown)."""
        deadline = time.monotonic() + timeout
        while self._jobs.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.005)
        return True

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._work, name="chirp-jobs",
                                                daemon=True)
                self._thread.start()

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            try:
                self._attempt(job)
            finally:
                self._jobs.task_done()

    def _attempt(self, job: Job) -> None:
        if self._run is None:
            log.error("no job runner bound; dropped %s", job)
            return
        for attempt in range(1, ATTEMPTS + 1):
            try:
                self._run(job)
                return
            except Exception:
                log.exception("job %s failed (attempt %d of %d)", job, attempt, ATTEMPTS)
                time.sleep(0.05 * attempt)
