"""Read-through lookups of users and tweets: the object cache first, the store for misses."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TypeVar

from core.domain.social import TargetType
from core.domain.tweets import Tweet
from core.domain.users import Profile, User, UserSummary
from core.ports.blob_store import BlobStore
from core.ports.metrics import Metrics
from core.ports.object_cache import ObjectCache
from core.ports.unit_of_work import UnitOfWork
from core.services.views import TweetView

CACHE_TTL = 3600
T = TypeVar("T")


def _user_key(user_id: int) -> str:
    return f"user:{user_id}"


def _tweet_key(tweet_id: int) -> str:
    return f"tweet:{tweet_id}"


class Lookups:
    """Batched reads shared by every use case.

    - A page of any size costs a constant number of round trips: one cache multi-get per
      kind, and for the misses a lease, one store query and a fill.
    - Every change to a user, profile or tweet is followed by `forget_*` after commit; a fill
      is leased before its store read, so the cache never keeps an object older than a change
      whose `forget_*` finished before the fill (ObjectCache's fill rule).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        cache: ObjectCache,
        blobs: BlobStore,
        *,
        metrics: Metrics | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._cache = cache
        self._blobs = blobs
        self._metrics = metrics

    def summaries(self, user_ids: Iterable[int]) -> dict[int, UserSummary]:
        """User summaries by id for the users that exist."""
        return self._read_through(
            {i: _user_key(i) for i in user_ids}, UserSummary, self._load_summaries
        )

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
        found = self._read_through({i: _tweet_key(i) for i in tweet_ids}, Tweet, self._load_tweets)
        return [found[i] for i in dict.fromkeys(tweet_ids) if i in found]

    def _load_tweets(self, tweet_ids: Sequence[int]) -> dict[int, Tweet]:
        with self._uow_factory() as uow:
            return {t.id: t for t in uow.tweets.get_many(tweet_ids)}

    def _read_through(
        self, keys: dict[int, str], kind: type[T], load: Callable[[Sequence[int]], dict[int, T]]
    ) -> dict[int, T]:
        """Objects by id: the cache first, then one store read for the misses, filled back
        under a lease taken before that read, so a write's invalidation landing between the
        read and the fill wins over the fill."""
        cached = self._cache.get_many(list(keys.values()))
        found = {i: v for i, key in keys.items() if isinstance(v := cached.get(key), kind)}
        missing = [i for i in keys if i not in found]
        if self._metrics is not None:
            self._metrics.cache_lookups(hits=len(found), misses=len(missing))
        if missing:
            lease = self._cache.lease([keys[i] for i in missing])
            loaded = load(missing)
            self._cache.fill(lease, {keys[i]: v for i, v in loaded.items()}, CACHE_TTL)
            found.update(loaded)
        return found

    def liked(
        self, viewer_id: int | None, target_type: TargetType, target_ids: Sequence[int]
    ) -> set[int]:
        """Which targets the viewer likes (none for an anonymous viewer), in one query."""
        if viewer_id is None or not target_ids:
            return set()
        with self._uow_factory() as uow:
            return uow.likes.liked_ids(viewer_id, target_type, target_ids)

    def tweet_views(
        self,
        viewer_id: int | None,
        tweets: Sequence[Tweet],
        *,
        fresh: bool = False,
        authors: Mapping[int, UserSummary] | None = None,
    ) -> list[TweetView]:
        """Tweets joined with their authors, photo urls and whether the viewer likes them;
        `fresh`: tweets just made, which nobody can like yet (so no likes query); `authors`:
        summaries already looked up (holding every author's)."""
        if authors is None:
            authors = self.summaries(t.user_id for t in tweets)
        viewer = None if fresh else viewer_id
        liked = self.liked(viewer, TargetType.TWEET, [t.id for t in tweets])
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
