"""Bulk loading of users and follows straight into the tables (benchmarks and fault tests)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy.engine import Engine

from adapters.mysql.tables import follows, profiles, users

CHUNK = 5000


def load_followers(engine: Engine, author_id: int, follower_ids: Sequence[int]) -> None:
    """Create a user (and profile) for each id of `follower_ids`, each following
    `author_id`, in multi-row inserts of CHUNK rows; far faster than signing them up."""
    now = datetime.now(UTC)
    for start in range(0, len(follower_ids), CHUNK):
        ids = follower_ids[start : start + CHUNK]
        with engine.begin() as conn:
            conn.execute(users.insert(), [_user(i, now) for i in ids])
            conn.execute(
                profiles.insert(),
                [{"user_id": i, "created_at": now, "updated_at": now} for i in ids],
            )
            conn.execute(
                follows.insert(),
                [
                    {"id": i, "follower_id": i, "followee_id": author_id, "created_at": now}
                    for i in ids
                ],
            )


def _user(user_id: int, now: datetime) -> dict[str, object]:
    return {
        "id": user_id,
        "username": f"f{user_id}",
        "email": f"f{user_id}@example.com",
        "password_hash": "!",
        "is_admin": False,
        "is_active": True,
        "is_celebrity": False,
        "created_at": now,
    }
