"""SqlFollowStore: follow edges in the `follows` table, readable from both sides."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore, insert_ignore, windowed
from adapters.mysql.tables import follows
from core.domain.paging import Window
from core.domain.social import Follow
from core.ports.follow_store import FollowStore


class SqlFollowStore(SqlStore, FollowStore):
    """Edges unique per (follower, followee); lists page by follow id."""

    def add(self, follow: Follow) -> bool:
        result = self._run(insert_ignore(follows).values(rows.follow_values(follow)))
        return result.rowcount == 1

    def remove(self, follower_id: int, followee_id: int) -> bool:
        result = self._run(
            sa.delete(follows).where(
                follows.c.follower_id == follower_id, follows.c.followee_id == followee_id
            )
        )
        return result.rowcount > 0

    def get(self, follower_id: int, followee_id: int) -> Follow | None:
        row = self._first(
            sa.select(follows).where(
                follows.c.follower_id == follower_id, follows.c.followee_id == followee_id
            )
        )
        return rows.follow_from(row) if row else None

    def followers(self, user_id: int, window: Window) -> list[Follow]:
        stmt = windowed(
            sa.select(follows).where(follows.c.followee_id == user_id), follows.c.id, window
        )
        return [rows.follow_from(r) for r in self._rows(stmt)]

    def followings(self, user_id: int, window: Window) -> list[Follow]:
        stmt = windowed(
            sa.select(follows).where(follows.c.follower_id == user_id), follows.c.id, window
        )
        return [rows.follow_from(r) for r in self._rows(stmt)]

    def follower_ids(self, user_id: int, after_id: int | None, limit: int) -> list[int]:
        stmt = sa.select(follows.c.follower_id).where(follows.c.followee_id == user_id)
        if after_id is not None:
            stmt = stmt.where(follows.c.follower_id > after_id)
        # MariaDB: a locking read waits for an edge whose follow has not committed yet
        # (READ COMMITTED's plain read would skip it); SQLite's one writer already did.
        stmt = stmt.order_by(follows.c.follower_id).limit(limit).with_for_update(read=True)
        return self._column(stmt)

    def count_followers(self, user_id: int) -> int:
        stmt = (
            sa.select(sa.func.count()).select_from(follows).where(follows.c.followee_id == user_id)
        )
        return int(self._column(stmt)[0])

    def followed_among(self, follower_id: int, candidate_ids: Sequence[int]) -> set[int]:
        if not candidate_ids:
            return set()
        stmt = sa.select(follows.c.followee_id).where(
            follows.c.follower_id == follower_id, follows.c.followee_id.in_(set(candidate_ids))
        )
        return set(self._column(stmt))

    def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        if not candidate_ids:
            return set()
        if self._conn.dialect.name == "sqlite":
            # SQLite has no row locks: a write, even of no row, takes the database's write
            # lock now, and the unit of work keeps it until it ends (an unfollow waits).
            self._run(sa.delete(follows).where(sa.false()))
        stmt = (
            sa.select(follows.c.follower_id)
            .where(
                follows.c.followee_id == followee_id,
                follows.c.follower_id.in_(set(candidate_ids)),
            )
            .with_for_update(read=True)  # MariaDB: shared locks on the edges read
        )
        return set(self._column(stmt))
