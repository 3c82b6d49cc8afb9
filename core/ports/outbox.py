"""Outbox port: jobs recorded in the same transaction as the change that needs them."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol

from core.domain.feed import Job


class Outbox(Protocol):
    """Pending background jobs. Joins the unit of work, so a job exists exactly when the
    change that asked for it was committed. A down store raises Unavailable."""

    @abstractmethod
    def add(self, job: Job) -> None:
        """Record a job to publish after commit."""

    @abstractmethod
    def pending(self, limit: int) -> list[Job]:
        """Up to `limit` unpublished jobs, oldest first."""

    @abstractmethod
    def count(self) -> int:
        """How many jobs are unpublished (the outbox's depth), in one query."""

    @abstractmethod
    def mark_published(self, job_ids: Sequence[int]) -> None:
        """Forget published jobs (idempotent)."""
