"""SqlLikeRepository: likes on tweets and comments in the `likes` table."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore, insert_ignore
from adapters.mysql.tables import likes
from core.domain.social import Like, TargetType
from core.ports.like_repository import LikeRepository


def _target(target_type: TargetType, target_id: int) -> sa.ColumnElement[bool]:
    return sa.and_(likes.c.target_type == target_type.value, likes.c.target_id == target_id)


# Built once, so SQLAlchemy reuses its cache key and compiled form on every page.
_LIKED = sa.select(likes.c.target_id).where(
    likes.c.user_id == sa.bindparam("user"),
    likes.c.target_type == sa.bindparam("type"),
    likes.c.target_id.in_(sa.bindparam("ids", expanding=True)),
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
        params = {"user": user_id, "type": target_type.value, "ids": list(set(target_ids))}
        return set(self._column(_LIKED, params))

    def list_for(self, target_type: TargetType, target_id: int, limit: int) -> list[Like]:
        stmt = (
            sa.select(likes)
            .where(_target(target_type, target_id))
            .order_by(likes.c.id.desc())
            .limit(limit)
        )
        return [rows.like_from(r) for r in self._rows(stmt)]

    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        if not target_ids:
            return 0
        result = self._run(
            sa.delete(likes).where(
                likes.c.target_type == target_type.value, likes.c.target_id.in_(set(target_ids))
            )
        )
        return result.rowcount
