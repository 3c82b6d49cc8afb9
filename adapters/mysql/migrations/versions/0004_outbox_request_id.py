"""The outbox remembers the request that recorded each job (for following it in the logs).

Revision ID: 0004_outbox_request_id
Revises: 0003_migration_checkpoints
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_outbox_request_id"
down_revision = "0003_migration_checkpoints"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("outbox", sa.Column("request_id", sa.String(64), nullable=True))


def downgrade() -> None:
    op.drop_column("outbox", "request_id")
