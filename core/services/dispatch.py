"""The outbox relay: publishes jobs recorded in committed transactions, and watches them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import timedelta

from core.domain.errors import Unavailable
from core.domain.feed import DeadJob, Job
from core.ports.clock import Clock
from core.ports.task_queue import TaskQueue
from core.ports.unit_of_work import UnitOfWork

log = logging.getLogger("chirp.dispatch")


class JobDispatcher:
    """Moves jobs from the outbox to the task queue.

    - A job is marked published only after the queue confirmed it durable, so a broker
      outage or a crash loses nothing: the job waits in the outbox and the next relay
      publishes it. A crash between the confirm and the mark publishes it twice; delivery
      is at least once and every job is idempotent.
    - After the commit that recorded them, a service hands `publish` exactly those jobs
      (no outbox read: the commit told it what it wrote); a loop in the worker (and in
      the embedded server) runs `relay`, which publishes whatever is left behind.
    - Crash between commit and publish (or a hand-off lost with its process): the row
      stays, and the next relay of any process publishes it, within the loop's interval.
    - A request's `publish` and a relay (or two relays) may both read and send one job
      before either marks it: it is delivered twice, which at least once allows (the
      handlers are idempotent; the SQL queue even keeps one row per job id). Marking is
      idempotent, so the second mark changes nothing.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        queue: TaskQueue,
        clock: Clock,
        batch: int = 100,
    ) -> None:
        self._uow_factory = uow_factory
        self._queue = queue
        self._clock = clock
        self._batch = batch

    def publish(self, jobs: Sequence[Job]) -> int:
        """Publish `jobs`, which a commit just recorded, then forget them in the outbox;
        how many went. Whatever fails here stays in the outbox for the relay."""
        if not jobs or not self._send(jobs):
            return 0
        try:
            with self._uow_factory() as uow:
                uow.outbox.mark_published([j.id for j in jobs])
                uow.commit()
        except Unavailable as exc:
            # Published but still recorded: the relay sends them again (at least once).
            log.warning("%d published jobs stay in the outbox: %s", len(jobs), exc.message)
        return len(jobs)

    def relay(self) -> int:
        """Publish pending jobs; how many went. A down broker leaves them pending."""
        published = 0
        while True:
            with self._uow_factory() as uow:
                jobs = uow.outbox.pending(self._batch)
                if not jobs or not self._send(jobs):
                    return published
                uow.outbox.mark_published([j.id for j in jobs])
                uow.commit()
            published += len(jobs)

    def _send(self, jobs: Sequence[Job]) -> bool:
        """Enqueue `jobs`; False (logged) when they must stay in the outbox."""
        try:
            self._queue.enqueue(jobs)
        except Unavailable as exc:
            log.warning("%d jobs stay in the outbox: %s", len(jobs), exc.message)
            return False
        except Exception:
            # The change that recorded the jobs is committed already: a broker client's
            # own bug must not turn its request into a 500. The jobs stay in the outbox.
            log.exception("publishing %d jobs failed; they stay in the outbox", len(jobs))
            return False
        return True

    def settle(self, timeout: float) -> bool:
        """Relay and wait until the outbox is empty and the queue idle; False if that did not
        happen within `timeout` seconds (a broker down, or no consumer running)."""
        deadline = self._clock.now() + timedelta(seconds=timeout)
        while True:
            self.relay()
            remaining = (deadline - self._clock.now()).total_seconds()
            if remaining <= 0 or not self._queue.wait_idle(remaining):
                return False
            with self._uow_factory() as uow:
                if not uow.outbox.pending(1):
                    return True

    def dead(self, limit: int = 100) -> list[DeadJob]:
        """Jobs that failed every attempt, oldest first."""
        return self._queue.dead(limit)

    def retry_dead(self) -> int:
        """Requeue every dead job with fresh attempts; how many."""
        return self._queue.retry_dead()
