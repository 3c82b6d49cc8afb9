"""SqlCommentRepository: replies under tweets in the `comments` table."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore, WindowedSelect, clamped_add
from adapters.mysql.tables import comments
from core.domain.paging import Window
from core.domain.social import Comment
from core.ports.comment_repository import CommentRepository

# A tweet page lists its comments: on the cursor (see HotSelect).
_FOR_TWEET = WindowedSelect(
    "SELECT id, tweet_id, user_id, content, created_at, updated_at, likes_count"
    " FROM comments WHERE tweet_id = ?",
    ("id", "tweet_id", "user_id", "content", "created_at", "updated_at", "likes_count"),
    "id",
)


class SqlCommentRepository(SqlStore, CommentRepository):
    """Comments by id and by tweet; likes_count changes only through atomic UPDATEs."""

    def add(self, comment: Comment) -> None:
        self._run(sa.insert(comments).values(rows.comment_values(comment)))

    def get(self, comment_id: int) -> Comment | None:
        row = self._first(sa.select(comments).where(comments.c.id == comment_id))
        return rows.comment_from(row) if row else None

    def update(self, comment: Comment) -> None:
        self._run(
            sa.update(comments)
            .where(comments.c.id == comment.id)
            .values(content=comment.content, updated_at=comment.updated_at)
        )

    def delete(self, comment_id: int) -> bool:
        # The DELETE's own row count: of concurrent deletions only the first matches a row.
        return self._run(sa.delete(comments).where(comments.c.id == comment_id)).rowcount > 0

    def list_for_tweet(self, tweet_id: int, window: Window) -> list[Comment]:
        found = self._hot_window(_FOR_TWEET, [tweet_id], window)
        return [rows.comment_from(r) for r in found]

    def delete_for_tweet(self, tweet_id: int) -> list[int]:
        mine = comments.c.tweet_id == tweet_id
        gone = self._column(sa.select(comments.c.id).where(mine).order_by(comments.c.id))
        if gone:
            self._run(sa.delete(comments).where(mine))
        return gone

    def change_likes(self, comment_id: int, delta: int) -> bool:
        # Matched rows (FOUND_ROWS on MySQL): the existence check and the comment's row lock.
        result = self._run(
            sa.update(comments)
            .where(comments.c.id == comment_id)
            .values(likes_count=clamped_add(comments.c.likes_count, delta))
        )
        return result.rowcount > 0
