"""Expired tokens are found by index: the purge no longer scans (and on InnoDB, locks) every
session row while users log in.

Revision ID: 0005_tokens_expiry_index
Revises: 0004_outbox_request_id
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0005_tokens_expiry_index"
down_revision = "0004_outbox_request_id"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tokens_expires_at", "tokens", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_tokens_expires_at", table_name="tokens")
