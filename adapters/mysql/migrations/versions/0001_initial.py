"""The first schema: accounts, tweets, follows, feeds, comments, likes, notifications, outbox.

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21

A frozen copy of adapters/mysql/tables.py as it was at this revision: later revisions change
the schema with their own operations, never by editing this one.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

from adapters.mysql.types import UtcDateTime, exact_string, long_text, serial_key

revision = "0001_initial"
down_revision = None
branch_labels = None
depends_on = None

MYSQL: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}
TABLES = (
    "users",
    "profiles",
    "tokens",
    "tweets",
    "photos",
    "follows",
    "feed_entries",
    "comments",
    "likes",
    "notifications",
    "outbox",
    "idempotency_keys",
)


def _id(name: str = "id", *, primary: bool = False) -> sa.Column[Any]:
    return sa.Column(name, sa.BigInteger, primary_key=primary, autoincrement=False, nullable=False)


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _count(name: str) -> sa.Column[Any]:
    return sa.Column(name, sa.Integer, nullable=False, server_default="0")


def _pk(table: str, *columns: str) -> sa.PrimaryKeyConstraint:
    return sa.PrimaryKeyConstraint(*columns, name=f"pk_{table}")


def upgrade() -> None:
    _accounts()
    _tweets()
    _social()
    _plumbing()


def _accounts() -> None:
    op.create_table(
        "users",
        _id(),
        sa.Column("username", sa.String(32), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("is_admin", sa.Boolean, nullable=False),
        sa.Column("is_active", sa.Boolean, nullable=False),
        sa.Column("is_celebrity", sa.Boolean, nullable=False, server_default=sa.false()),
        _time("created_at"),
        _pk("users", "id"),
        sa.UniqueConstraint("username", name="uq_users_username"),
        sa.UniqueConstraint("email", name="uq_users_email"),
        **MYSQL,
    )
    op.create_index("ix_users_is_celebrity", "users", ["is_celebrity"])
    op.create_table(
        "profiles",
        _id("user_id"),
        sa.Column("nickname", sa.String(200), nullable=True),
        sa.Column("avatar_key", sa.String(255), nullable=True),
        _time("created_at"),
        _time("updated_at"),
        _pk("profiles", "user_id"),
        **MYSQL,
    )
    op.create_table(
        "tokens",
        sa.Column("hash", exact_string(128), nullable=False),
        _id("user_id"),
        _time("expires_at"),
        _pk("tokens", "hash"),
        **MYSQL,
    )
    op.create_index("ix_tokens_user_id", "tokens", ["user_id"])


def _tweets() -> None:
    op.create_table(
        "tweets",
        _id(),
        _id("user_id"),
        sa.Column("content", sa.String(280), nullable=False),
        _time("created_at"),
        _time("edited_at", nullable=True),
        _count("likes_count"),
        _count("comments_count"),
        _pk("tweets", "id"),
        **MYSQL,
    )
    op.create_index("ix_tweets_user_id_id", "tweets", ["user_id", "id"])
    op.create_table(
        "photos",
        _id("tweet_id"),
        sa.Column("position", sa.SmallInteger, autoincrement=False, nullable=False),
        sa.Column("key", exact_string(255), nullable=False),
        sa.Column("content_type", sa.String(64), nullable=False),
        _pk("photos", "tweet_id", "position"),
        **MYSQL,
    )
    op.create_table(
        "feed_entries",
        _id("reader_id"),
        _id("tweet_id"),
        _id("author_id"),
        _time("created_at"),
        _pk("feed_entries", "reader_id", "tweet_id"),
        **MYSQL,
    )
    op.create_index(
        "ix_feed_entries_reader_id_author_id", "feed_entries", ["reader_id", "author_id"]
    )
    op.create_index("ix_feed_entries_tweet_id", "feed_entries", ["tweet_id"])


def _social() -> None:
    op.create_table(
        "follows",
        _id(),
        _id("follower_id"),
        _id("followee_id"),
        _time("created_at"),
        _pk("follows", "id"),
        sa.UniqueConstraint("follower_id", "followee_id", name="uq_follows_follower_followee"),
        **MYSQL,
    )
    op.create_index("ix_follows_follower_id_id", "follows", ["follower_id", "id"])
    op.create_index("ix_follows_followee_id_id", "follows", ["followee_id", "id"])
    op.create_index("ix_follows_followee_id_follower_id", "follows", ["followee_id", "follower_id"])
    op.create_table(
        "comments",
        _id(),
        _id("tweet_id"),
        _id("user_id"),
        sa.Column("content", sa.String(280), nullable=False),
        _time("created_at"),
        _time("updated_at"),
        _count("likes_count"),
        _pk("comments", "id"),
        **MYSQL,
    )
    op.create_index("ix_comments_tweet_id_id", "comments", ["tweet_id", "id"])
    op.create_table(
        "likes",
        _id(),
        _id("user_id"),
        sa.Column("target_type", sa.String(16), nullable=False),
        _id("target_id"),
        _time("created_at"),
        _pk("likes", "id"),
        sa.UniqueConstraint("user_id", "target_type", "target_id", name="uq_likes_user_target"),
        **MYSQL,
    )
    op.create_index(
        "ix_likes_target_type_target_id_id", "likes", ["target_type", "target_id", "id"]
    )


def _plumbing() -> None:
    op.create_table(
        "notifications",
        _id(),
        _id("recipient_id"),
        _id("actor_id"),
        sa.Column("verb", sa.String(64), nullable=False),
        sa.Column("target_type", sa.String(16), nullable=False),
        _id("target_id"),
        _time("created_at"),
        sa.Column("unread", sa.Boolean, nullable=False),
        _pk("notifications", "id"),
        **MYSQL,
    )
    op.create_index("ix_notifications_recipient_id_id", "notifications", ["recipient_id", "id"])
    op.create_index(
        "ix_notifications_recipient_id_unread_id", "notifications", ["recipient_id", "unread", "id"]
    )
    op.create_index(
        "ix_notifications_target_type_target_id", "notifications", ["target_type", "target_id"]
    )
    op.create_table(
        "outbox",
        sa.Column("seq", serial_key(), autoincrement=True, nullable=False),
        _id("job_id"),
        sa.Column("kind", sa.String(32), nullable=False),
        _id("tweet_id"),
        _id("author_id"),
        sa.Column("reader_ids", long_text(), nullable=False),
        _pk("outbox", "seq"),
        sa.UniqueConstraint("job_id", name="uq_outbox_job_id"),
        **MYSQL,
    )
    op.create_table(
        "idempotency_keys",
        _id("user_id"),
        sa.Column("key", exact_string(255), nullable=False),
        _id("tweet_id"),
        _time("created_at"),
        _pk("idempotency_keys", "user_id", "key"),
        **MYSQL,
    )


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table)
