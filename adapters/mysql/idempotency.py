"""SqlIdempotencyKeys: client keys per user, each naming the tweet it made."""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from adapters.mysql.base import SqlStore, insert_ignore
from adapters.mysql.tables import idempotency_keys
from core.domain.errors import Conflict
from core.ports.idempotency_keys import IdempotencyKeys

# How long a record stays live; the port's put() is given no window, so the store holds it.
KEY_LIFETIME = timedelta(hours=1)
_table = idempotency_keys


def _key(user_id: int, key: str) -> sa.ColumnElement[bool]:
    return sa.and_(_table.c.user_id == user_id, _table.c.key == key)


class SqlIdempotencyKeys(SqlStore, IdempotencyKeys):
    """One row per (user, key); a live row wins against a concurrent second put."""

    def get(self, user_id: int, key: str, not_before: datetime) -> int | None:
        stmt = sa.select(_table.c.tweet_id).where(
            _key(user_id, key), _table.c.created_at >= not_before
        )
        found = self._column(stmt)
        return found[0] if found else None

    def put(self, user_id: int, key: str, tweet_id: int, created_at: datetime) -> None:
        inserted = self._run(
            insert_ignore(_table).values(
                user_id=user_id, key=key, tweet_id=tweet_id, created_at=created_at
            )
        )
        if inserted.rowcount == 1:
            return
        # The row exists: take it over only when it has expired, in one guarded UPDATE.
        replaced = self._run(
            sa.update(_table)
            .where(_key(user_id, key), _table.c.created_at < created_at - KEY_LIFETIME)
            .values(tweet_id=tweet_id, created_at=created_at)
        )
        if replaced.rowcount != 1:
            raise Conflict.on_field("idempotency_key", "this key was used already")
