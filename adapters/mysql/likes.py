"""SqlLikeRepository: likes on tweets and comments in the `likes` table."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import HotSelect, SqlStore, insert_ignore
from adapters.mysql.tables import likes
from core.domain.social import Like, TargetType
from core.ports.like_repository import LikeRepository


def _target(target_type: TargetType, target_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(likes.c.target_type == target_type.value, likes.c.target_id == target_id)


# Every page asks which of its items the reader likes; a tweet page lists its likes: both
# on the cursor (see HotSelect).
_LIKED = HotSelect(
    "SELECT target_id FROM likes WHERE user_id = ? AND target_type = ? AND target_id IN ({ids})",
    ("target_id",),
)
_LIST_FOR = HotSelect(
    "SELECT id, user_id, target_type, target_id, created_at FROM likes"
    " WHERE target_type = ? AND target_id = ? ORDER BY id DESC LIMIT ?",
    ("id", "user_id", "target_type", "target_id", "created_at"),
)


class SqlLikeRepository(SqlStore, LikeRepository):
    """At most one like per (user, target), enforced by a unique key."""

    def add(self, like: Like) -> bool:
        result = self._run(insert_ignore(likes).values(rows.like_values(like)))
        return result.rowcount == 1

    def remove(self, user_id: int, target_type: TargetType, target_id: int) -> bool:
        result = self._run(
            sa.delete(likes).where(likes.c.user_id == user_id, _target(target_type, target_id))
        )
        return result.rowcount > 0

    def get(self, user_id: int, target_type: TargetType, target_id: int) -> Like | None:
        row = self._first(
            sa.select(likes).where(likes.c.user_id == user_id, _target(target_type, target_id))
        )
        return rows.like_from(row) if row else None

    def liked_ids(
        self, user_id: int, target_type: TargetType, target_ids: Sequence[int]
    ) -> set[int]:
        if not target_ids:
            return set()
        wanted = list(set(target_ids))
        found = self._hot(_LIKED, [user_id, target_type.value, *wanted], len(wanted))
        return {r.target_id for r in found}

    def list_for(self, target_type: TargetType, target_id: int, limit: int) -> list[Like]:
        found = self._hot(_LIST_FOR, [target_type.value, target_id, limit])
        return [rows.like_from(r) for r in found]

    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        if not target_ids:
            return 0
        result = self._run(
            sa.delete(likes).where(
                likes.c.target_type == target_type.value, likes.c.target_id.in_(set(target_ids))
            )
        )
        return result.rowcount
