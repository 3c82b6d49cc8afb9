"""Timeline: reading a newsfeed page from the cached list, the feed store and celebrities."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from core.domain.paging import Page, Window, map_page, newest_first_page
from core.ports.clock import Clock
from core.ports.list_cache import CachedList, ListCache
from core.ports.object_cache import ObjectCache
from core.ports.unit_of_work import UnitOfWork
from core.services.fanout import feed_key
from core.services.lookups import Lookups
from core.services.stores import StoreRouter
from core.services.views import FeedEntry

CELEBRITIES_KEY, CELEBRITIES_TTL = "celebrities", 60
# How long one process reuses the celebrity list it read (with a clock; see TimelineService).
CELEBRITIES_MEMO_SECONDS = 5.0


class TimelineService:
    """A reader's newsfeed, newest first.

    - The newest entries come from a capped cached id list (default 800); a miss rebuilds it
      from the feed store under a lease, so a fan-out push racing the rebuild is kept.
    - A cached list that is not whole holds the feed from its oldest id up; a page that runs
      past it continues from the store, so paging never dead-ends at the cache boundary,
      even after deletions shortened the list.
    - Tweets of followed celebrities (not pushed) are merged in at read time; while the
      celebrity list is empty a page opens no unit of work for them.
    - No duplicates; deleted tweets are skipped.
    - A page costs a constant number of round trips, whatever its size.
    - An empty lease means no fill would be kept (no list cache, as on embedded, or an
      unreachable one): the page then reads only its own window from the store, not the
      whole capped list.
    - The feed store and the follow store (for celebrities) are the ones the reader's
      gates pick.
    - With a clock, the celebrity list is kept in this object for `celebrities_memo`
      seconds (one instance per process serves every request, so a page saves a query).
      Coherence: the list is dated by the clock read *before* the object-cache or store
      read, so no reader uses it once `celebrities_memo` seconds have passed since a read
      that could have missed a change. A user newly marked a celebrity (whose new tweets are
      no longer pushed) has those tweets merged into followers' pages at most that long
      after the mark, plus the shared object cache's CELEBRITIES_TTL where there is one
      (full: Memcached); a user no longer a celebrity is merged for that long, harmlessly
      (no duplicates). Without a clock nothing is kept.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        lookups: Lookups,
        lists: ListCache,
        cache: ObjectCache,
        *,
        feed_cap: int = 800,
        stores: StoreRouter | None = None,
        clock: Clock | None = None,
        celebrities_memo: float = CELEBRITIES_MEMO_SECONDS,
    ) -> None:
        self._uow_factory = uow_factory
        self._lookups = lookups
        self._lists = lists
        self._cache = cache
        self._cap = feed_cap
        self._stores = stores if stores is not None else StoreRouter(uow_factory)
        self._clock = clock
        self._memo_for = timedelta(seconds=celebrities_memo)
        # (good until, ids): replaced whole, so a request thread never sees half an update.
        self._memo: tuple[datetime, list[int]] | None = None

    def read_home_feed(self, reader_id: int, window: Window) -> Page[FeedEntry]:
        ids = sorted(
            set(self._pushed_ids(reader_id, window)) | set(self._celebrity_ids(reader_id, window)),
            reverse=window.newest_first,
        )[: window.fetch]
        page = newest_first_page(window, ids, key=lambda i: i)
        views = self._lookups.tweet_views(reader_id, self._lookups.tweets(page.results))
        entries = [FeedEntry(id=v.tweet.id, created_at=v.tweet.created_at, tweet=v) for v in views]
        return map_page(page, entries)

    def _pushed_ids(self, reader_id: int, window: Window) -> list[int]:
        cached = self._cached_list(reader_id)
        if cached is None:
            return self._from_store(reader_id, window)
        if cached.whole:
            return window.pick(cached.ids)
        if not cached.ids:
            return self._from_store(reader_id, window)
        floor = cached.ids[-1]  # the list holds every id from here up; older ones: the store
        if not window.newest_first and (window.lower is None or window.lower < floor):
            return self._from_store(reader_id, window)
        picked = window.pick(cached.ids)
        if len(picked) >= window.fetch or (window.lower is not None and window.lower >= floor):
            return picked
        upper = floor if window.upper is None else min(floor, window.upper)
        rest = Window(limit=window.fetch - len(picked), lower=window.lower, upper=upper)
        return picked + self._from_store(reader_id, rest)

    def _cached_list(self, reader_id: int) -> CachedList | None:
        """The reader's cached list, rebuilt on a miss; None when no fill would be kept."""
        key = feed_key(reader_id)
        cached = self._lists.get(key)
        if cached is not None:
            return cached
        lease = self._lists.lease(key)  # before the read: pushes from now on are recorded
        if not lease:
            return None
        ids = self._from_store(reader_id, Window(limit=self._cap))  # up to cap + 1
        rebuilt = CachedList(ids=ids[: self._cap], whole=len(ids) <= self._cap)
        self._lists.fill(key, lease, rebuilt.ids, self._cap, whole=rebuilt.whole)
        return rebuilt

    def _from_store(self, reader_id: int, window: Window) -> list[int]:
        with self._stores.feeds_for(reader_id) as feeds:
            return feeds.tweet_ids(reader_id, window)

    def _celebrity_ids(self, reader_id: int, window: Window) -> list[int]:
        celebrities = self._celebrities()
        if not celebrities:
            return []  # the common case: no unit of work, not even a pooled connection
        with self._uow_factory() as uow:
            followed = self._followed_among(uow, reader_id, celebrities)
            if not followed:
                return []
            return [t.id for t in uow.tweets.list_by_users(followed, window)]

    def followed_celebrities(self, reader_id: int) -> list[int]:
        """The celebrities the reader follows (their tweets are merged, never pushed)."""
        celebrities = self._celebrities()
        if not celebrities:
            return []
        with self._uow_factory() as uow:
            return self._followed_among(uow, reader_id, celebrities)

    def _followed_among(self, uow: UnitOfWork, reader_id: int, celebrities: list[int]) -> list[int]:
        follows = self._stores.follows_in(uow, reader_id)
        return sorted(follows.followed_among(reader_id, celebrities))

    def _celebrities(self) -> list[int]:
        if self._clock is None:
            return self._shared_celebrities()
        now, memo = self._clock.now(), self._memo
        if memo is not None and now < memo[0]:
            return memo[1]
        celebrities = self._shared_celebrities()  # read after `now`: dated no later than it
        self._memo = (now + self._memo_for, celebrities)
        return celebrities

    def _shared_celebrities(self) -> list[int]:
        cached = self._cache.get_many([CELEBRITIES_KEY]).get(CELEBRITIES_KEY)
        if isinstance(cached, list):
            return cached
        with self._uow_factory() as uow:
            celebrities = uow.users.celebrity_ids()
        self._cache.set_many({CELEBRITIES_KEY: celebrities}, CELEBRITIES_TTL)
        return celebrities
