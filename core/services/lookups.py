"""Read-through lookups of users and tweets: the object cache first, the store for misses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from core.domain.social import TargetType
from core.domain.tweets import Tweet
from core.domain.users import Profile, User, UserSummary
from core.ports.blob_store import BlobStore
from core.ports.object_cache import ObjectCache
from core.ports.unit_of_work import UnitOfWork
from core.services.views import TweetView

CACHE_TTL = 3600


def _user_key(user_id: int) -> str:
    return f"user:{user_id}"


def _tweet_key(tweet_id: int) -> str:
    return f"tweet:{tweet_id}"


class Lookups:
    """Batched reads shared by every use case.

    - A page of any size costs a constant number of round trips: one cache multi-get per
      kind, one store query for the misses.
    - Every change to a user, profile or tweet is followed by `forget_*` after commit, so the
      cache never serves an object older than the last committed change for long.
    """

    def __init__(
        self, uow_factory: Callable[[], UnitOfWork], cache: ObjectCache, blobs: BlobStore
    ) -> None:
        self._uow_factory = uow_factory
        self._cache = cache
        self._blobs = blobs

    def summaries(self, user_ids: Iterable[int]) -> dict[int, UserSummary]:
        """User summaries by id for the users that exist."""
        wanted = list(dict.fromkeys(user_ids))
        cached = self._cache.get_many([_user_key(i) for i in wanted])
        found = {i: s for i in wanted if isinstance(s := cached.get(_user_key(i)), UserSummary)}
        missing = [i for i in wanted if i not in found]
        if missing:
            loaded = self._load_summaries(missing)
            self._cache.set_many({_user_key(i): s for i, s in loaded.items()}, CACHE_TTL)
            found.update(loaded)
        return found

    def _load_summaries(self, user_ids: Sequence[int]) -> dict[int, UserSummary]:
        with self._uow_factory() as uow:
            users = uow.users.get_many(user_ids)
            profiles = {p.user_id: p for p in uow.profiles.get_many(user_ids)}
        return {u.id: self.summary_of(u, profiles.get(u.id)) for u in users}

    def summary_of(self, user: User, profile: Profile | None) -> UserSummary:
        """The summary of a user whose profile is at hand."""
        return UserSummary(
            id=user.id,
            username=user.username,
            nickname=profile.nickname if profile else None,
            avatar_url=self.url(profile.avatar_key) if profile else None,
        )

    def url(self, key: str | None) -> str | None:
        """Where a stored blob is served, if there is one."""
        return self._blobs.url(key) if key else None

    def tweets(self, tweet_ids: Sequence[int]) -> list[Tweet]:
        """The tweets that exist among `tweet_ids`, in that order."""
        wanted = list(dict.fromkeys(tweet_ids))
        cached = self._cache.get_many([_tweet_key(i) for i in wanted])
        found = {i: t for i in wanted if isinstance(t := cached.get(_tweet_key(i)), Tweet)}
        missing = [i for i in wanted if i not in found]
        if missing:
            with self._uow_factory() as uow:
                loaded = {t.id: t for t in uow.tweets.get_many(missing)}
            self._cache.set_many({_tweet_key(i): t for i, t in loaded.items()}, CACHE_TTL)
            found.update(loaded)
        return [found[i] for i in wanted if i in found]

    def liked(self, viewer_id: int | None, target_type: TargetType,
              target_ids: Sequence[int]) -> set[int]:
        """Which targets the viewer likes (none for an anonymous viewer), in one query."""
        if viewer_id is None or not target_ids:
            return set()
        with self._uow_factory() as uow:
            return uow.likes.liked_ids(viewer_id, target_type, target_ids)

    def tweet_views(self, viewer_id: int | None, tweets: Sequence[Tweet]) -> list[TweetView]:
        """Tweets joined with their authors, photo urls and whether the viewer likes them."""
        authors = self.summaries(t.user_id for t in tweets)
        liked = self.liked(viewer_id, TargetType.TWEET, [t.id for t in tweets])
        return [
            TweetView(
                tweet=t,
                user=authors[t.user_id],
                photo_urls=[self._blobs.url(p.key) for p in t.photos],
                has_liked=t.id in liked,
            )
            for t in tweets
            if t.user_id in authors
        ]

    def forget_users(self, user_ids: Iterable[int]) -> None:
        self._cache.delete_many([_user_key(i) for i in user_ids])

    def forget_tweets(self, tweet_ids: Iterable[int]) -> None:
        self._cache.delete_many([_tweet_key(i) for i in tweet_ids])
