"""The checkpoints of resumable walks: where `chirp migrate` left off.

Revision ID: 0003_migration_checkpoints
Revises: 0002_jobs
Create Date: 2026-12-05

A frozen copy of `migration_checkpoints` in adapters/mysql/tables.py at this revision.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from adapters.mysql.types import exact_string

revision = "0003_migration_checkpoints"
down_revision = "0002_jobs"
branch_labels = None
depends_on = None

MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}


def upgrade() -> None:
    op.create_table(
        "migration_checkpoints",
        sa.Column("name", exact_string(100), nullable=False),
        sa.Column("position", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_migration_checkpoints"),
        **MYSQL,
    )


def downgrade() -> None:
    op.drop_table("migration_checkpoints")
