"""SqlTweetRepository: tweets with their photos and exact counts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import HotSelect, SqlStore, clamped_add, windowed
from adapters.mysql.tables import photos, tweets
from core.domain.paging import Window
from core.domain.tweets import Photo, Tweet
from core.ports.tweet_repository import TweetRepository

_PHOTO_COLUMNS = (
    photos.c.key.label("photo_key"),
    photos.c.content_type.label("photo_content_type"),
    photos.c.position.label("photo_position"),
)


def _with_photos(source: sa.FromClause) -> sa.Select[Any]:
    """Rows of `source` (tweets or a page of them), each repeated once per photo (or once
    with NULL photo columns): a page of tweets with photos is one statement."""
    joined = source.outerjoin(photos, photos.c.tweet_id == source.c.id)
    return sa.select(source, *_PHOTO_COLUMNS).select_from(joined)


def _assemble(result: Sequence[rows.RowLike]) -> dict[int, Tweet]:
    """Tweets by id, in the order their first row came, with photos by position."""
    tweet_rows: dict[int, rows.RowLike] = {}
    photo_lists: dict[int, list[Photo]] = {}
    for row in result:
        tweet_rows.setdefault(row.id, row)
        found = photo_lists.setdefault(row.id, [])
        if row.photo_key is not None:
            found.append(rows.photo_from(row))
    return {
        i: rows.tweet_from(r, sorted(photo_lists[i], key=lambda p: p.position))
        for i, r in tweet_rows.items()
    }


# Every page reads tweets by id: on the cursor (see HotSelect), photos joined.
_BY_IDS = HotSelect(
    "SELECT t.id, t.user_id, t.content, t.created_at, t.edited_at, t.likes_count,"
    " t.comments_count, p.`key`, p.content_type, p.position"
    " FROM tweets t LEFT OUTER JOIN photos p ON p.tweet_id = t.id WHERE t.id IN ({ids})",
    (
        "id",
        "user_id",
        "content",
        "created_at",
        "edited_at",
        "likes_count",
        "comments_count",
        "photo_key",
        "photo_content_type",
        "photo_position",
    ),
)


# Every POST inserts one: a statement built once is compiled once (values come as params).
_INSERT = sa.insert(tweets)


class SqlTweetRepository(SqlStore, TweetRepository):
    """Tweets by id and by author; counts change only through atomic UPDATEs.

    `change_counts` and `delete` touch the tweet's row first and report the rows they
    matched: that statement is the existence check and takes the row lock (MariaDB under
    READ COMMITTED; SQLite's one writer serialises whole transactions), so the port's row
    rule holds without SELECT ... FOR UPDATE. The MySQL dialects connect with FOUND_ROWS,
    so an UPDATE that leaves a count unchanged (0 - 1 clamped to 0) still counts its row.
    """

    def add(self, tweet: Tweet) -> None:
        self._run(_INSERT, rows.tweet_values(tweet))
        if tweet.photos:
            self._run(sa.insert(photos), [rows.photo_values(tweet.id, p) for p in tweet.photos])

    def get(self, tweet_id: int) -> Tweet | None:
        found = self.get_many([tweet_id])
        return found[0] if found else None

    def get_many(self, tweet_ids: Sequence[int]) -> list[Tweet]:
        wanted = list(dict.fromkeys(tweet_ids))
        if not wanted:
            return []
        found = _assemble(self._hot(_BY_IDS, wanted, len(wanted)))
        return [found[i] for i in wanted if i in found]

    def update(self, tweet: Tweet) -> None:
        self._run(
            sa.update(tweets)
            .where(tweets.c.id == tweet.id)
            .values(content=tweet.content, edited_at=tweet.edited_at)
        )

    def delete(self, tweet_id: int) -> bool:
        gone = self._run(sa.delete(tweets).where(tweets.c.id == tweet_id)).rowcount > 0
        if gone:
            self._run(sa.delete(photos).where(photos.c.tweet_id == tweet_id))
        return gone

    def list_by_users(self, user_ids: Sequence[int], window: Window) -> list[Tweet]:
        if not user_ids:
            return []
        inner = sa.select(tweets).where(tweets.c.user_id.in_(set(user_ids)))
        page = windowed(inner, tweets.c.id, window).subquery("page")
        order = page.c.id.desc() if window.newest_first else page.c.id.asc()
        stmt = _with_photos(page).order_by(order, photos.c.position)
        return list(_assemble(self._rows(stmt)).values())

    def named_photo_keys(self, keys: Sequence[str]) -> set[str]:
        wanted = set(keys)
        if not wanted:
            return set()
        return set(self._column(sa.select(photos.c.key).where(photos.c.key.in_(wanted))))

    def change_counts(self, tweet_id: int, *, likes: int = 0, comments: int = 0) -> bool:
        # With both deltas 0 the row is still updated (to itself): the check and the lock.
        changes: dict[str, Any] = {"likes_count": clamped_add(tweets.c.likes_count, likes)}
        if comments:
            changes["comments_count"] = clamped_add(tweets.c.comments_count, comments)
        result = self._run(sa.update(tweets).where(tweets.c.id == tweet_id).values(changes))
        return result.rowcount > 0
