"""SqlOutbox: fan-out jobs recorded in the same transaction as the change needing them."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore, insert_ignore
from adapters.mysql.tables import outbox
from core.domain.feed import Job
from core.ports.outbox import Outbox


class SqlOutbox(SqlStore, Outbox):
    """Pending jobs in insertion order; publishing deletes them."""

    def add(self, job: Job) -> None:
        # A job id recorded twice stays one job: redelivery is already handled by id.
        self._run(insert_ignore(outbox).values(rows.job_values(job)))

    def pending(self, limit: int) -> list[Job]:
        stmt = sa.select(outbox).order_by(outbox.c.seq).limit(limit)
        return [rows.job_from(r) for r in self._rows(stmt)]

    def count(self) -> int:
        return int(self._column(sa.select(sa.func.count()).select_from(outbox))[0])

    def mark_published(self, job_ids: Sequence[int]) -> None:
        if job_ids:
            self._run(sa.delete(outbox).where(outbox.c.job_id.in_(set(job_ids))))
