"""In-memory tweets with their photos and counts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from adapters.memory.database import Bound, copied, in_window
from core.domain.errors import Conflict
from core.domain.paging import Window
from core.domain.tweets import Tweet
from core.ports.tweet_repository import TweetRepository


class InMemoryTweetRepository(Bound, TweetRepository):
    """Tweets by id; photos kept in position order, counts never below zero."""

    def add(self, tweet: Tweet) -> None:
        if tweet.id in self.db.tweets:
            raise Conflict.on_field("id", "tweet id is taken")
        photos = tuple(sorted(tweet.photos, key=lambda p: p.position))
        self.db.tweets[tweet.id] = replace(tweet, photos=photos)

    def get(self, tweet_id: int) -> Tweet | None:
        tweet = self.db.tweets.get(tweet_id)
        return copied(tweet) if tweet else None

    def get_many(self, tweet_ids: Sequence[int]) -> list[Tweet]:
        tweets = self.db.tweets
        wanted = dict.fromkeys(i for i in tweet_ids if i in tweets)
        return [copied(tweets[i]) for i in wanted]

    def update(self, tweet: Tweet) -> None:
        stored = self.db.tweets.get(tweet.id)
        if stored is None:
            return  # like an SQL UPDATE that matches no row
        self.db.tweets[tweet.id] = replace(stored, content=tweet.content, edited_at=tweet.edited_at)

    def delete(self, tweet_id: int) -> bool:
        return self.db.tweets.pop(tweet_id, None) is not None

    def list_by_users(self, user_ids: Sequence[int], window: Window) -> list[Tweet]:
        authors = set(user_ids)
        mine = (t for t in self.db.tweets.values() if t.user_id in authors)
        return in_window(mine, lambda t: t.id, window)

    def named_photo_keys(self, keys: Sequence[str]) -> set[str]:
        named = {p.key for t in self.db.tweets.values() for p in t.photos}
        return named.intersection(keys)

    def change_counts(self, tweet_id: int, *, likes: int = 0, comments: int = 0) -> bool:
        stored = self.db.tweets.get(tweet_id)
        if stored is None:
            return False
        self.db.tweets[tweet_id] = replace(
            stored,
            likes_count=max(stored.likes_count + likes, 0),
            comments_count=max(stored.comments_count + comments, 0),
        )
        return True
