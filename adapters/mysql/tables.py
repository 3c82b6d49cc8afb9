"""Every SQL table of chirp, as SQLAlchemy Core metadata (no ORM mapping)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from adapters.mysql.types import UtcDateTime, exact_string, long_text, serial_key

# Every table is InnoDB in utf8mb4 on MySQL/MariaDB so emoji round-trip; SQLite ignores these.
MYSQL_OPTIONS: dict[str, Any] = {
    "mysql_engine": "InnoDB",
    "mysql_charset": "utf8mb4",
    "mysql_collate": "utf8mb4_unicode_ci",
}

metadata = sa.MetaData(naming_convention={"pk": "pk_%(table_name)s"})


def _id(name: str = "id", *, primary: bool = False) -> sa.Column[int]:
    """A 63-bit application-made id: never auto-incremented by the database."""
    return sa.Column(name, sa.BigInteger, primary_key=primary, autoincrement=False, nullable=False)


def _time(name: str, *, nullable: bool = False) -> sa.Column[Any]:
    return sa.Column(name, UtcDateTime(), nullable=nullable)


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer, nullable=False, default=0, server_default="0")


users = sa.Table(
    "users",
    metadata,
    _id(primary=True),
    sa.Column("username", sa.String(32), nullable=False),
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    sa.Column("is_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("is_active", sa.Boolean, nullable=False, default=True),
    sa.Column("is_celebrity", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    _time("created_at"),
    sa.UniqueConstraint("username", name="uq_users_username"),
    sa.UniqueConstraint("email", name="uq_users_email"),
    sa.Index("ix_users_is_celebrity", "is_celebrity"),
    **MYSQL_OPTIONS,
)

profiles = sa.Table(
    "profiles",
    metadata,
    _id("user_id", primary=True),
    sa.Column("nickname", sa.String(200), nullable=True),
    sa.Column("avatar_key", sa.String(255), nullable=True),
    _time("created_at"),
    _time("updated_at"),
    **MYSQL_OPTIONS,
)

tokens = sa.Table(
    "tokens",
    metadata,
    sa.Column("hash", exact_string(128), primary_key=True),
    _id("user_id"),
    _time("expires_at"),
    sa.Index("ix_tokens_user_id", "user_id"),
    sa.Index("ix_tokens_expires_at", "expires_at"),
    **MYSQL_OPTIONS,
)

tweets = sa.Table(
    "tweets",
    metadata,
    _id(primary=True),
    _id("user_id"),
    sa.Column("content", sa.String(280), nullable=False),
    _time("created_at"),
    _time("edited_at", nullable=True),
    _count("likes_count"),
    _count("comments_count"),
    sa.Index("ix_tweets_user_id_id", "user_id", "id"),
    **MYSQL_OPTIONS,
)

photos = sa.Table(
    "photos",
    metadata,
    _id("tweet_id", primary=True),
    sa.Column("position", sa.SmallInteger, primary_key=True, autoincrement=False),
    sa.Column("key", exact_string(255), nullable=False),
    sa.Column("content_type", sa.String(64), nullable=False),
    **MYSQL_OPTIONS,
)

follows = sa.Table(
    "follows",
    metadata,
    _id(primary=True),
    _id("follower_id"),
    _id("followee_id"),
    _time("created_at"),
    sa.UniqueConstraint("follower_id", "followee_id", name="uq_follows_follower_followee"),
    sa.Index("ix_follows_follower_id_id", "follower_id", "id"),
    sa.Index("ix_follows_followee_id_id", "followee_id", "id"),
    # Fan-out walks a user's followers by follower id in batches.
    sa.Index("ix_follows_followee_id_follower_id", "followee_id", "follower_id"),
    **MYSQL_OPTIONS,
)

feed_entries = sa.Table(
    "feed_entries",
    metadata,
    _id("reader_id", primary=True),
    _id("tweet_id", primary=True),
    _id("author_id"),
    _time("created_at"),
    sa.Index("ix_feed_entries_reader_id_author_id", "reader_id", "author_id"),
    sa.Index("ix_feed_entries_tweet_id", "tweet_id"),
    **MYSQL_OPTIONS,
)

comments = sa.Table(
    "comments",
    metadata,
    _id(primary=True),
    _id("tweet_id"),
    _id("user_id"),
    sa.Column("content", sa.String(280), nullable=False),
    _time("created_at"),
    _time("updated_at"),
    _count("likes_count"),
    sa.Index("ix_comments_tweet_id_id", "tweet_id", "id"),
    **MYSQL_OPTIONS,
)

likes = sa.Table(
    "likes",
    metadata,
    _id(primary=True),
    _id("user_id"),
    sa.Column("target_type", sa.String(16), nullable=False),
    _id("target_id"),
    _time("created_at"),
    sa.UniqueConstraint("user_id", "target_type", "target_id", name="uq_likes_user_target"),
    sa.Index("ix_likes_target_type_target_id_id", "target_type", "target_id", "id"),
    **MYSQL_OPTIONS,
)

notifications = sa.Table(
    "notifications",
    metadata,
    _id(primary=True),
    _id("recipient_id"),
    _id("actor_id"),
    sa.Column("verb", sa.String(64), nullable=False),
    sa.Column("target_type", sa.String(16), nullable=False),
    _id("target_id"),
    _time("created_at"),
    sa.Column("unread", sa.Boolean, nullable=False, default=True),
    sa.Index("ix_notifications_recipient_id_id", "recipient_id", "id"),
    sa.Index("ix_notifications_recipient_id_unread_id", "recipient_id", "unread", "id"),
    sa.Index("ix_notifications_target_type_target_id", "target_type", "target_id"),
    **MYSQL_OPTIONS,
)

outbox = sa.Table(
    "outbox",
    metadata,
    # The sequence keeps insertion order whatever the job ids look like.
    sa.Column("seq", serial_key(), primary_key=True, autoincrement=True),
    _id("job_id"),
    sa.Column("kind", sa.String(32), nullable=False),
    _id("tweet_id"),
    _id("author_id"),
    sa.Column("reader_ids", long_text(), nullable=False),
    # The request that recorded the job, so its log lines can be followed into the worker.
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.UniqueConstraint("job_id", name="uq_outbox_job_id"),
    **MYSQL_OPTIONS,
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    _id("user_id", primary=True),
    sa.Column("key", exact_string(255), primary_key=True),
    _id("tweet_id"),
    _time("created_at"),
    **MYSQL_OPTIONS,
)

jobs = sa.Table(
    "jobs",
    metadata,
    # The embedded profile's task queue (SqlTaskQueue); a row lives until its job succeeded.
    _id("job_id", primary=True),
    sa.Column("payload", long_text(), nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False, default=0, server_default="0"),
    # Free: when the job may run next. Claimed: when the claim (lease) runs out.
    _time("available_at"),
    sa.Column("lease", sa.String(32), nullable=True),
    sa.Column("dead", sa.Boolean, nullable=False, default=False, server_default=sa.false()),
    sa.Column("error", sa.Text, nullable=True),
    _time("failed_at", nullable=True),
    sa.Index("ix_jobs_dead_available_at", "dead", "available_at"),
    **MYSQL_OPTIONS,
)

migration_checkpoints = sa.Table(
    "migration_checkpoints",
    metadata,
    # Where a resumable walk (`chirp migrate`) left off: its last primary key, as "12,34".
    sa.Column("name", exact_string(100), primary_key=True),
    sa.Column("position", sa.String(255), nullable=False),
    **MYSQL_OPTIONS,
)
