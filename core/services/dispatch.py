"""The outbox relay: publishes jobs recorded in committed transactions."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.domain.errors import Unavailable
from core.ports.task_queue import TaskQueue
from core.ports.unit_of_work import UnitOfWork

log = logging.getLogger("chirp.dispatch")


class JobDispatcher:
    """Moves jobs from the outbox to the task queue.

    - A job is marked published only after the queue accepted it, so a broker outage loses
      nothing: the job waits in the outbox and the next relay publishes it (delivery is at
      least once; every job is idempotent).
    - Services call `relay()` right after the commit that recorded a job.
    """

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], queue: TaskQueue, batch: int = 100
    ) -> None:
        self._uow_factory = uow_factory
        self._queue = queue
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
                except Unavailable:
                    log.warning("task queue unavailable; %d jobs stay in the outbox", len(jobs))
                    return published
                uow.outbox.mark_published([j.id for j in jobs])
                uow.commit()
            published += len(jobs)
