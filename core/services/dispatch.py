"""The outbox relay: publishes jobs recorded in committed transactions, and watches them."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta

from core.domain.errors import Unavailable
from core.domain.feed import DeadJob
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
    - Services call `relay()` right after the commit that recorded a job (low latency); a
      loop in the worker (and in the embedded server) relays whatever is left behind.
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

    def relay(self) -> int:
        """Publish pending jobs; how many went. A down broker leaves them pending."""
        published = 0
        while True:
            with self._uow_factory() as uow:
                jobs = uow.outbox.pending(self._batch)
                if not jobs:
                    return published
                try:
                    self._queue.enqueue(jobs)
                except Unavailable as exc:
                    log.warning("%d jobs stay in the outbox: %s", len(jobs), exc.message)
                    return published
                except Exception:
                    # The change that recorded the jobs is committed already: a broker
                    # client's own bug must not turn its request into a 500. The jobs stay
                    # in the outbox for the next relay.
                    log.exception("publishing %d jobs failed; they stay in the outbox", len(jobs))
                    return published
                uow.outbox.mark_published([j.id for j in jobs])
                uow.commit()
            published += len(jobs)

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
