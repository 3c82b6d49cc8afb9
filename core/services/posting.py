"""Posting: creating, reading, editing and deleting tweets."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta

from core.domain import ids as id_layout
from core.domain.errors import Conflict, Forbidden, Invalid, NotFound
from core.domain.feed import FeedItem, Job, JobKind
from core.domain.paging import Page, Window, map_page, newest_first_page, oldest_first_page
from core.domain.social import Comment, TargetType
from core.domain.tweets import Tweet
from core.domain.users import UserSummary
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator
from core.ports.list_cache import ListCache
from core.ports.unit_of_work import UnitOfWork
from core.services import context
from core.services.comments import CommentService
from core.services.dispatch import JobDispatcher
from core.services.fanout import feed_key
from core.services.lookups import Lookups
from core.services.media import MediaService
from core.services.mirror import StoreMirror
from core.services.notifications import Notifier
from core.services.views import CommentView, LikeView, TweetDetail, TweetView

IDEMPOTENCY_WINDOW = timedelta(hours=1)
SPENT_KEY = "the tweet made with this Idempotency-Key was deleted; send a new key"
KEY_MAX = 200
DETAIL_ITEMS = 100


class PostingService:
    """Tweets and what hangs off them.

    - A new tweet is in its author's own feed at once; a fan-out job recorded in the same
      commit (outbox) takes it to followers.
    - A retry with the same Idempotency-Key by the same user within an hour returns the
      first tweet instead of making a second one. If that tweet was deleted the key is
      spent (Conflict) until it expires: a retry never brings back a deleted tweet.
    - Only the author edits (edited_at is set) or deletes.
    - A deleted tweet leaves every feed and list, with its comments, likes, notifications
      and photos.
    - While feeds are mirrored, the author's own entry (added at post time, removed at
      delete) records a mirror job in the same commit, tried at once after it.
    - A fan-out or retraction job carries the id of the request that recorded it.
    - After the commit, exactly the job it recorded goes to `publish` (the dispatcher's,
      or a hand-off that publishes it off the request, `adapters.system.background`):
      the answer does not wait for the broker, and a job the hand-off never sent (the
      process died) is still in the outbox for the relay loop (JobDispatcher's rules).
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        ids: IdGenerator,
        lookups: Lookups,
        media: MediaService,
        dispatcher: JobDispatcher,
        lists: ListCache,
        comments: CommentService,
        notifier: Notifier,
        *,
        feed_cap: int = 800,
        mirror: StoreMirror | None = None,
        publish: Callable[[Sequence[Job]], object] | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._ids = ids
        self._lookups = lookups
        self._media = media
        self._lists = lists
        self._comments = comments
        self._notifier = notifier
        self._cap = feed_cap
        self._mirror = mirror
        self._publish = publish if publish is not None else dispatcher.publish

    def post_tweet(
        self,
        author_id: int,
        content: str,
        photos: Sequence[bytes] = (),
        idempotency_key: str | None = None,
    ) -> tuple[TweetView, bool]:
        """The new tweet and True, or the first tweet of a retried key and False."""
        if idempotency_key is not None and not 1 <= len(idempotency_key) <= KEY_MAX:
            raise Invalid.on_field("Idempotency-Key", "must be 1-200 characters")
        images = self._media.check_photos(photos)
        tweet_id = self._ids.next_id()
        tweet = Tweet(
            id=tweet_id, user_id=author_id, content=content, created_at=id_layout.time_of(tweet_id)
        )
        if idempotency_key is not None and (first := self._earlier(author_id, idempotency_key)):
            return first, False
        tweet.photos = self._media.store_photos(tweet_id, images)
        try:
            fanout, mirrored = self._record(tweet, idempotency_key)
        except Conflict:
            # A concurrent retry with the same key won the race: answer with its tweet.
            self._media.delete([p.key for p in tweet.photos])
            first = self._earlier(author_id, idempotency_key or "")
            if first is None:
                raise
            return first, False
        self._publish([fanout])
        self._after_commit(mirrored)
        self._lists.push([feed_key(author_id)], tweet_id, self._cap)
        return self._lookups.tweet_views(author_id, [tweet], fresh=True)[0], True

    def _earlier(self, author_id: int, key: str) -> TweetView | None:
        """The tweet a live key made, or None for a fresh key; a key whose tweet was
        deleted is spent (Conflict)."""
        with self._uow_factory() as uow:
            tweet_id = uow.idempotency.get(author_id, key, self._clock.now() - IDEMPOTENCY_WINDOW)
        if tweet_id is None:
            return None
        tweets = self._lookups.tweets([tweet_id])
        if not tweets:
            raise Conflict.on_field("Idempotency-Key", SPENT_KEY)
        return self._lookups.tweet_views(author_id, tweets)[0]

    def _record(self, tweet: Tweet, idempotency_key: str | None) -> tuple[Job, list[Job]]:
        """Commit the tweet, its own feed entry and its fan-out job; the job and the
        mirror jobs recorded with them."""
        fanout = self._job(JobKind.FANOUT, tweet.id, tweet.user_id)
        with self._uow_factory() as uow:
            if idempotency_key is not None:
                uow.idempotency.put(tweet.user_id, idempotency_key, tweet.id, self._clock.now())
            uow.tweets.add(tweet)
            uow.feeds.add_many(
                [
                    FeedItem(
                        reader_id=tweet.user_id,
                        tweet_id=tweet.id,
                        author_id=tweet.user_id,
                        created_at=tweet.created_at,
                    )
                ]
            )
            uow.outbox.add(fanout)
            mirrored = self._record_mirror(uow, tweet.id, tweet.user_id)
            uow.commit()
        return fanout, mirrored

    def _job(self, kind: JobKind, tweet_id: int, author_id: int) -> Job:
        return Job(
            id=self._ids.next_id(),
            kind=kind,
            tweet_id=tweet_id,
            author_id=author_id,
            request_id=context.request_id(),
        )

    def _record_mirror(self, uow: UnitOfWork, tweet_id: int, author_id: int) -> list[Job]:
        if self._mirror is None:
            return []
        return self._mirror.record_feed_tweet(uow, tweet_id, author_id, [author_id])

    def _after_commit(self, mirrored: list[Job]) -> None:
        if self._mirror is not None:
            self._mirror.after_commit(mirrored)

    def get_tweet(self, viewer_id: int | None, tweet_id: int) -> TweetDetail:
        """The tweet, its first comments and likes: one read of both lists and one lookup
        of every user they name (the author, commenters and likers together)."""
        tweets = self._lookups.tweets([tweet_id])
        if not tweets:
            raise NotFound("no such tweet")
        window = Window(limit=DETAIL_ITEMS, newest_first=False)
        with self._uow_factory() as uow:
            listed = uow.comments.list_for_tweet(tweet_id, window)
            likes = uow.likes.list_for(TargetType.TWEET, tweet_id, DETAIL_ITEMS)
        comments = oldest_first_page(window, listed, key=lambda c: c.id).results
        named = {tweets[0].user_id, *(c.user_id for c in comments), *(k.user_id for k in likes)}
        users = self._lookups.summaries(named)
        return TweetDetail(
            view=self._lookups.tweet_views(viewer_id, tweets, authors=users)[0],
            comments=self._comment_views(viewer_id, comments, users),
            likes=[
                LikeView(user=users[lk.user_id], created_at=lk.created_at)
                for lk in likes
                if lk.user_id in users
            ],
        )

    def _comment_views(
        self, viewer_id: int | None, comments: list[Comment], users: Mapping[int, UserSummary]
    ) -> list[CommentView]:
        """As CommentService.views, on the summaries get_tweet looked up already."""
        liked = self._lookups.liked(viewer_id, TargetType.COMMENT, [c.id for c in comments])
        return [
            CommentView(comment=c, user=users[c.user_id], has_liked=c.id in liked)
            for c in comments
            if c.user_id in users
        ]

    def list_user_tweets(
        self, viewer_id: int | None, user_id: int, window: Window
    ) -> Page[TweetView]:
        with self._uow_factory() as uow:
            tweets = uow.tweets.list_by_users([user_id], window)
        page = newest_first_page(window, tweets, key=lambda t: t.id)
        views = self._lookups.tweet_views(viewer_id, page.results)
        return map_page(page, views)

    def edit_tweet(self, actor_id: int, tweet_id: int, content: str) -> TweetView:
        with self._uow_factory() as uow:
            tweet = self._owned(uow, actor_id, tweet_id)
            tweet.edit(content, self._clock.now())
            uow.tweets.update(tweet)
            uow.commit()
        self._lookups.forget_tweets([tweet_id])
        return self._lookups.tweet_views(actor_id, self._lookups.tweets([tweet_id]))[0]

    def delete_tweet(self, actor_id: int, tweet_id: int) -> None:
        with self._uow_factory() as uow:
            tweet = self._owned(uow, actor_id, tweet_id)
            # The tweet's row first: likes and comments change its count first too, so each
            # lands wholly before this or finds no tweet (TweetRepository's row rule).
            if not uow.tweets.delete(tweet_id):
                raise NotFound("no such tweet")  # a concurrent deletion won
            comment_ids = uow.comments.delete_for_tweet(tweet_id)
            uow.likes.delete_for(TargetType.TWEET, [tweet_id])
            uow.likes.delete_for(TargetType.COMMENT, comment_ids)
            uow.notifications.delete_for(TargetType.TWEET, [tweet_id])
            uow.notifications.delete_for(TargetType.COMMENT, comment_ids)
            uow.feeds.remove_tweet(tweet_id, [actor_id])
            retract = self._job(JobKind.RETRACT, tweet_id, actor_id)
            uow.outbox.add(retract)
            mirrored = self._record_mirror(uow, tweet_id, actor_id)
            uow.commit()
        self._publish([retract])
        self._after_commit(mirrored)
        self._lookups.forget_tweets([tweet_id])
        # The author's notifications about the tweet went with it; comment authors' cached
        # counts of likes on their comments expire with the count's short ttl.
        self._notifier.settle([actor_id])
        self._lists.remove([feed_key(actor_id)], tweet_id)
        self._media.delete([p.key for p in tweet.photos])

    @staticmethod
    def _owned(uow: UnitOfWork, actor_id: int, tweet_id: int) -> Tweet:
        tweet = uow.tweets.get(tweet_id)
        if tweet is None:
            raise NotFound("no such tweet")
        if tweet.user_id != actor_id:
            raise Forbidden("you can only change your own tweets")
        return tweet
