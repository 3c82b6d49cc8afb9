"""In-memory outbox of jobs and idempotency keys: the bookkeeping tables of posting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from adapters.memory.database import Bound, InMemoryDatabase
from core.domain.errors import Conflict
from core.domain.feed import Job
from core.ports.idempotency_keys import IdempotencyKeys
from core.ports.outbox import Outbox

# How long a key stays live; API.md promises retries "within 1 hour" return the first tweet.
IDEMPOTENCY_TTL = timedelta(hours=1)


class InMemoryOutbox(Bound, Outbox):
    """Unpublished jobs by id; oldest (lowest id) first."""

    def add(self, job: Job) -> None:
        self.db.outbox[job.id] = job

    def pending(self, limit: int) -> list[Job]:
        outbox = self.db.outbox
        return [outbox[i] for i in sorted(outbox)[:limit]]

    def count(self) -> int:
        return len(self.db.outbox)

    def mark_published(self, job_ids: Sequence[int]) -> None:
        outbox = self.db.outbox
        for job_id in job_ids:
            outbox.pop(job_id, None)


class InMemoryIdempotencyKeys(Bound, IdempotencyKeys):
    """Keys per (user, key); a record older than `ttl` before a new one counts as expired."""

    def __init__(self, db: InMemoryDatabase, ttl: timedelta = IDEMPOTENCY_TTL) -> None:
        super().__init__(db)
        self._ttl = ttl

    def get(self, user_id: int, key: str, not_before: datetime) -> int | None:
        record = self.db.idempotency.get((user_id, key))
        if record is None or record[1] < not_before:
            return None
        return record[0]

    def put(self, user_id: int, key: str, tweet_id: int, created_at: datetime) -> None:
        record = self.db.idempotency.get((user_id, key))
        if record is not None and record[1] >= created_at - self._ttl:
            raise Conflict.on_field("idempotency_key", "this key was used already")
        self.db.idempotency[(user_id, key)] = (tweet_id, created_at)
