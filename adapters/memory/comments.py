"""In-memory comments under tweets."""

from __future__ import annotations

from dataclasses import replace

from adapters.memory.database import Bound, copied, in_window
from core.domain.errors import Conflict
from core.domain.paging import Window
from core.domain.social import Comment
from core.ports.comment_repository import CommentRepository


class InMemoryCommentRepository(Bound, CommentRepository):
    """Comments by id, paged by comment id within a tweet; likes_count never below zero."""

    def add(self, comment: Comment) -> None:
        if comment.id in self.db.comments:
            raise Conflict.on_field("id", "comment id is taken")
        self.db.comments[comment.id] = copied(comment)

    def get(self, comment_id: int) -> Comment | None:
        comment = self.db.comments.get(comment_id)
        return copied(comment) if comment else None

    def update(self, comment: Comment) -> None:
        stored = self.db.comments.get(comment.id)
        if stored is None:
            return  # like an SQL UPDATE that matches no row
        self.db.comments[comment.id] = replace(
            stored, content=comment.content, updated_at=comment.updated_at
        )

    def delete(self, comment_id: int) -> bool:
        return self.db.comments.pop(comment_id, None) is not None

    def list_for_tweet(self, tweet_id: int, window: Window) -> list[Comment]:
        under = (c for c in self.db.comments.values() if c.tweet_id == tweet_id)
        return in_window(under, lambda c: c.id, window)

    def delete_for_tweet(self, tweet_id: int) -> list[int]:
        comments = self.db.comments
        doomed = sorted(i for i, c in comments.items() if c.tweet_id == tweet_id)
        for comment_id in doomed:
            del comments[comment_id]
        return doomed

    def change_likes(self, comment_id: int, delta: int) -> bool:
        stored = self.db.comments.get(comment_id)
        if stored is None:
            return False
        self.db.comments[comment_id] = replace(
            stored, likes_count=max(stored.likes_count + delta, 0)
        )
        return True
