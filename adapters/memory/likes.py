"""In-memory likes on tweets and comments."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.database import Bound
from core.domain.social import Like, TargetType
from core.ports.like_repository import LikeRepository


class InMemoryLikeRepository(Bound, LikeRepository):
    """At most one like per (user, target type, target id)."""

    def add(self, like: Like) -> bool:
        key = (like.user_id, like.target_type, like.target_id)
        if key in self.db.likes:
            return False
        self.db.likes[key] = like
        return True

    def remove(self, user_id: int, target_type: TargetType, target_id: int) -> bool:
        return self.db.likes.pop((user_id, target_type, target_id), None) is not None

    def get(self, user_id: int, target_type: TargetType, target_id: int) -> Like | None:
        return self.db.likes.get((user_id, target_type, target_id))

    def liked_ids(
        self, user_id: int, target_type: TargetType, target_ids: Sequence[int]
    ) -> set[int]:
        likes = self.db.likes
        return {t for t in target_ids if (user_id, target_type, t) in likes}

    def list_for(self, target_type: TargetType, target_id: int, limit: int) -> list[Like]:
        found = [
            like
            for like in self.db.likes.values()
            if like.target_type == target_type and like.target_id == target_id
        ]
        return sorted(found, key=lambda like: like.id, reverse=True)[:limit]

    def delete_for(self, target_type: TargetType, target_ids: Sequence[int]) -> int:
        likes, targets = self.db.likes, set(target_ids)
        doomed = [
            k
            for k, like in likes.items()
            if like.target_type == target_type and like.target_id in targets
        ]
        for key in doomed:
            del likes[key]
        return len(doomed)
