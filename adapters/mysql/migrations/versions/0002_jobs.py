"""The jobs table of the embedded profile's durable task queue (SqlTaskQueue).

Revision ID: 0002_jobs
Revises: 0001_initial
Create Date: 2026-11-28

A frozen copy of `jobs` in adapters/mysql/tables.py as it was at this revision.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from adapters.mysql.types import UtcDateTime, long_text

revision = "0002_jobs"
down_revision = "0001_initial"
branch_labels = None
depends_on = None

MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.BigInteger, autoincrement=False, nullable=False),
        sa.Column("payload", long_text(), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("available_at", UtcDateTime(), nullable=False),
        sa.Column("lease", sa.String(32), nullable=True),
        sa.Column("dead", sa.Boolean, nullable=False, server_default=sa.false()),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("failed_at", UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("job_id", name="pk_jobs"),
        **MYSQL,
    )
    op.create_index("ix_jobs_dead_available_at", "jobs", ["dead", "available_at"])


def downgrade() -> None:
    op.drop_table("jobs")
