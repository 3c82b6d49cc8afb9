"""Following: follow, unfollow, and the follower and following lists."""

from __future__ import annotations

from collections.abc import Callable

from core.domain import ids as id_layout
from core.domain.errors import Invalid, NotFound
from core.domain.feed import FeedItem, Job
from core.domain.paging import Page, Window, map_page, newest_first_page
from core.domain.social import Follow, TargetType, Verb
from core.ports.id_generator import IdGenerator
from core.ports.list_cache import ListCache
from core.ports.unit_of_work import UnitOfWork
from core.services.fanout import feed_key
from core.services.lookups import Lookups
from core.services.mirror import StoreMirror
from core.services.notifications import Notifier
from core.services.stores import StoreRouter
from core.services.views import FollowView

BACKFILL = 20


class FollowingService:
    """Who follows whom.

    - Following is idempotent: a second follow changes nothing and says it created nothing
      (`(view, created)`, like `like` and `post_tweet`).
    - Nobody follows or unfollows themselves; following someone unknown is NotFound.
    - Following brings the followee's recent tweets (up to 20) into the follower's feed;
      unfollowing takes all of them out. The follower's cached feed is dropped, so the
      next read rebuilds it in order.
    - The followee is notified of a new follow.
    - In both lists `has_followed` says whether the viewer follows the listed user.
    - While follows (feeds) are mirrored, a follow or unfollow that changed something records
      a mirror job for the edge (for the author's entries in the follower's feed) in its
      commit, tried at once after it. Lists are read from the store the list owner's gate
      picks; `has_followed` from the viewer's.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        ids: IdGenerator,
        lookups: Lookups,
        lists: ListCache,
        notifier: Notifier,
        *,
        stores: StoreRouter | None = None,
        mirror: StoreMirror | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._ids = ids
        self._lookups = lookups
        self._lists = lists
        self._notifier = notifier
        self._stores = stores if stores is not None else StoreRouter(uow_factory)
        self._mirror = mirror

    def follow(self, follower_id: int, followee_id: int) -> tuple[FollowView, bool]:
        """The edge as the follower sees it, and whether this call created it."""
        self._check_pair(follower_id, followee_id)
        follow_id = self._ids.next_id()
        edge = Follow(
            id=follow_id,
            follower_id=follower_id,
            followee_id=followee_id,
            created_at=id_layout.time_of(follow_id),
        )
        with self._uow_factory() as uow:
            self._require_user(uow, followee_id)
            created = uow.follows.add(edge)
            notified, mirrored = None, []
            if created:
                self._backfill(uow, follower_id, followee_id)
                mirrored = self._record_mirror(uow, follower_id, followee_id)
                notified = self._notifier.record(
                    uow,
                    recipient_id=followee_id,
                    actor_id=follower_id,
                    verb=Verb.FOLLOWED,
                    target_type=TargetType.USER,
                    target_id=follower_id,
                )
            else:
                edge = uow.follows.get(follower_id, followee_id) or edge
            uow.commit()
        self._after_commit(mirrored)
        self._notifier.announce([notified])
        if created:
            self._lists.delete([feed_key(follower_id)])
        user = self._lookups.summaries([followee_id])[followee_id]
        return FollowView(user=user, created_at=edge.created_at, has_followed=True), created

    def _backfill(self, uow: UnitOfWork, follower_id: int, followee_id: int) -> None:
        recent = uow.tweets.list_by_users([followee_id], Window(limit=BACKFILL))[:BACKFILL]
        uow.feeds.add_many(
            [
                FeedItem(
                    reader_id=follower_id,
                    tweet_id=t.id,
                    author_id=t.user_id,
                    created_at=t.created_at,
                )
                for t in recent
            ]
        )

    def unfollow(self, follower_id: int, followee_id: int) -> int:
        """How many edges went (1 or 0)."""
        self._check_pair(follower_id, followee_id)
        with self._uow_factory() as uow:
            self._require_user(uow, followee_id)
            deleted = uow.follows.remove(follower_id, followee_id)
            mirrored = []
            if deleted:
                uow.feeds.remove_author(follower_id, followee_id)
                mirrored = self._record_mirror(uow, follower_id, followee_id)
            uow.commit()
        self._after_commit(mirrored)
        if deleted:
            self._lists.delete([feed_key(follower_id)])
        return int(deleted)

    def _record_mirror(self, uow: UnitOfWork, follower_id: int, followee_id: int) -> list[Job]:
        if self._mirror is None:
            return []
        return self._mirror.record_follows(
            uow, follower_id, followee_id
        ) + self._mirror.record_feed_author(uow, follower_id, followee_id)

    def _after_commit(self, mirrored: list[Job]) -> None:
        if self._mirror is not None:
            self._mirror.after_commit(mirrored)

    def followers(self, viewer_id: int | None, user_id: int, window: Window) -> Page[FollowView]:
        with self._stores.follows_for(user_id) as follows:
            edges = follows.followers(user_id, window)
        return self._page(viewer_id, window, edges, lambda e: e.follower_id)

    def followings(self, viewer_id: int | None, user_id: int, window: Window) -> Page[FollowView]:
        with self._stores.follows_for(user_id) as follows:
            edges = follows.followings(user_id, window)
        return self._page(viewer_id, window, edges, lambda e: e.followee_id)

    def _page(
        self,
        viewer_id: int | None,
        window: Window,
        edges: list[Follow],
        other: Callable[[Follow], int],
    ) -> Page[FollowView]:
        page = newest_first_page(window, edges, key=lambda e: e.id)
        others = [other(e) for e in page.results]
        users = self._lookups.summaries(others)
        followed: set[int] = set()
        if viewer_id is not None and others:
            with self._stores.follows_for(viewer_id) as follows:
                followed = follows.followed_among(viewer_id, others)
        views = [
            FollowView(
                user=users[other(e)], created_at=e.created_at, has_followed=other(e) in followed
            )
            for e in page.results
            if other(e) in users
        ]
        return map_page(page, views)

    @staticmethod
    def _check_pair(follower_id: int, followee_id: int) -> None:
        if follower_id == followee_id:
            raise Invalid.on_field("user_id", "you cannot follow or unfollow yourself")

    @staticmethod
    def _require_user(uow: UnitOfWork, user_id: int) -> None:
        if uow.users.get(user_id) is None:
            raise NotFound("no such user")
