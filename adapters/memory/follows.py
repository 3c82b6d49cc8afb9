"""In-memory follow edges."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.database import Bound, in_window
from core.domain.paging import Window
from core.domain.social import Follow
from core.ports.follow_store import FollowStore


class InMemoryFollowStore(Bound, FollowStore):
    """Follow edges keyed by (follower, followee), paged by follow id."""

    def add(self, follow: Follow) -> bool:
        self._interleave("add")
        key = (follow.follower_id, follow.followee_id)
        if key in self.db.follows:
            return False
        self.db.follows[key] = follow
        return True

    def remove(self, follower_id: int, followee_id: int) -> bool:
        self._interleave("remove")
        return self.db.follows.pop((follower_id, followee_id), None) is not None

    def get(self, follower_id: int, followee_id: int) -> Follow | None:
        return self.db.follows.get((follower_id, followee_id))

    def followers(self, user_id: int, window: Window) -> list[Follow]:
        edges = (f for f in self.db.follows.values() if f.followee_id == user_id)
        return in_window(edges, lambda f: f.id, window)

    def followings(self, user_id: int, window: Window) -> list[Follow]:
        edges = (f for f in self.db.follows.values() if f.follower_id == user_id)
        return in_window(edges, lambda f: f.id, window)

    def follower_ids(self, user_id: int, after_id: int | None, limit: int) -> list[int]:
        floor = -1 if after_id is None else after_id
        found = sorted(
            f.follower_id
            for f in self.db.follows.values()
            if f.followee_id == user_id and f.follower_id > floor
        )
        return found[:limit]

    def count_followers(self, user_id: int) -> int:
        return sum(1 for f in self.db.follows.values() if f.followee_id == user_id)

    def followed_among(self, follower_id: int, candidate_ids: Sequence[int]) -> set[int]:
        follows = self.db.follows
        return {c for c in candidate_ids if (follower_id, c) in follows}

    def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        # Held by the unit of work's lock on the whole database.
        follows = self.db.follows
        return {c for c in candidate_ids if (c, followee_id) in follows}
