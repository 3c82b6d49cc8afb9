"""TaskQueue port: hands jobs to background workers."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.feed import Job


class TaskQueue(Protocol):
    """Delivers each job at least once to a worker; jobs must be idempotent. A broker that
    cannot be reached raises Unavailable (the job stays in the outbox)."""

    @abstractmethod
    def enqueue(self, jobs: Sequence[Job]) -> None:
        """Hand jobs over for background execution."""
