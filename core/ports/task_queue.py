"""TaskQueue port: hands jobs to background workers and runs them, at least once."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Protocol

from core.domain.feed import DeadJob, Job

JobHandler = Callable[[Job], None]


class Consumer(Protocol):
    """A running set of worker threads taking jobs from a TaskQueue."""

    @abstractmethod
    def stop(self, timeout: float = 30.0) -> None:
        """Take no new job; wait up to `timeout` seconds for the jobs in flight to finish.
        A job still running then is not acknowledged: it goes back to the queue and is
        delivered again (to this or another process)."""


class TaskQueue(Protocol):
    """Delivers each job at least once to a handler; handlers must be idempotent.

    - `enqueue` returns only once the jobs are durable (the broker confirmed them, or the
      row committed); otherwise it raises Unavailable and the caller keeps them (in the
      outbox) to try again.
    - A job is acknowledged (removed) only after its handler returned. A handler that
      raises is retried with exponential back-off; after the last attempt the job moves
      to the dead-letter store with its last error, where `dead` lists it and
      `retry_dead` puts it back with fresh attempts.
    - Order is not promised. Not part of any unit of work.
    - A broker or store that cannot be reached raises Unavailable.
    """

    @abstractmethod
    def enqueue(self, jobs: Sequence[Job]) -> None:
        """Hand jobs over for background execution; durable when this returns."""

    @abstractmethod
    def consume(self, handler: JobHandler, *, threads: int = 1) -> Consumer:
        """Start running jobs with `handler` on `threads` background threads."""

    @abstractmethod
    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is queued, waiting for a retry, or in flight in this process;
        False if that did not happen within `timeout` seconds."""

    @abstractmethod
    def dead(self, limit: int = 100) -> list[DeadJob]:
        """Jobs that failed every attempt, oldest first (at most `limit`)."""

    @abstractmethod
    def retry_dead(self) -> int:
        """Put every dead job back on the queue with fresh attempts; how many."""
