"""Live feed: one reader's stream of new feed entries, deletions and notifications."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, replace

from core.domain.errors import Unavailable
from core.domain.events import (
    EventKind,
    StreamEvent,
    author_channel,
    feed_channel,
    user_channel,
)
from core.domain.paging import Window, decode_cursor
from core.domain.social import TargetType
from core.ports.subscriber import MissedEvents, Subscriber, Subscription
from core.services.lookups import Lookups
from core.services.notifications import NotificationService
from core.services.timeline import TimelineService
from core.services.views import FeedEntry, NotificationView, TweetView

REPLAY_PAGE = 100
SEEN_BOUND = 4096  # ids remembered per stream to send each at most once


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Nothing happened for a while: the stream says it is alive (and finds dead peers)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveTweet:
    """A tweet entered the reader's feed. `position` is the feed position to resume from:
    the highest tweet id this stream has sent, so a reconnect never repeats one."""

    entry: FeedEntry
    position: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveDelete:
    """A tweet that may be in the reader's feed was deleted."""

    tweet_id: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LiveNotification:
    """A new notification for the reader, and their unread count after it."""

    view: NotificationView
    unread_count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Reconnect:
    """The stream lost events (the reader fell behind, or the broker connection broke): the
    client must reconnect from its last position, which replays them from the store."""

    reason: str


LiveItem = Heartbeat | LiveTweet | LiveDelete | LiveNotification | Reconnect


class TweetMemo:
    """Tweet views rendered for nobody (has_liked false), kept `seconds` per process, so a
    tweet told to a thousand streams of one process is read and joined once.

    Rules:
    - A view is at most `seconds` old when sent; its counts may lag by that much, never
      its existence (a deleted tweet's memo is dropped by `forget`, and a delete event
      follows anyway).
    - Single flight: one load per tweet id at a time. Readers asking while it runs wait
      for it and share its result, instead of a thousand reads (and a thousand pooled
      connections) for the tweet every stream was just told about.
    - Thread- and greenlet-safe: the lock is never held over a read or a wait.
    """

    def __init__(self, lookups: Lookups, seconds: float = 2.0, bound: int = 1024) -> None:
        self._lookups = lookups
        self._seconds = seconds
        self._bound = bound
        self._views: OrderedDict[int, tuple[float, TweetView | None]] = OrderedDict()
        self._loading: dict[int, threading.Event] = {}
        self._lock = threading.Lock()

    def view(self, tweet_id: int) -> TweetView | None:
        with self._lock:
            held = self._views.get(tweet_id)
            if held is not None and held[0] > time.monotonic():
                return held[1]
            loading = self._loading.get(tweet_id)
            if loading is None:
                self._loading[tweet_id] = threading.Event()
        if loading is None:
            return self._load(tweet_id)
        loading.wait()  # another reader is loading it: share what it found
        with self._lock:
            held = self._views.get(tweet_id)
        # Nothing kept: that load failed, so this reader tries for itself.
        return held[1] if held is not None else self._read(tweet_id)

    def _load(self, tweet_id: int) -> TweetView | None:
        try:
            found = self._read(tweet_id)
            with self._lock:
                self._views[tweet_id] = (time.monotonic() + self._seconds, found)
                self._views.move_to_end(tweet_id)
                while len(self._views) > self._bound:
                    self._views.popitem(last=False)
            return found
        finally:  # waiters are released whether the read worked or not
            with self._lock:
                self._loading.pop(tweet_id).set()

    def _read(self, tweet_id: int) -> TweetView | None:
        views = self._lookups.tweet_views(None, self._lookups.tweets([tweet_id]))
        return views[0] if views else None

    def forget(self, tweet_id: int) -> None:
        with self._lock:
            self._views.pop(tweet_id, None)


class LiveFeed:
    """Opens live streams of readers' home feeds.

    Rules (each forced by a test):
    - Subscribe first, then replay: the subscription is live before the store is read, so
      an entry that lands during the replay is either in the replay or arrives live; a
      tweet id is sent at most once per stream (ids already sent are skipped).
    - Replay reads the same feed the newsfeed page shows (pushed entries and followed
      celebrities' tweets), oldest first, from the client's position up, with no gap.
    - The position sent with a tweet is the highest id sent so far, so a reconnect from
      it repeats nothing. A tweet whose fan-out lands after a newer one's is sent live all
      the same; were the stream to drop in that instant, the reconnect would not replay it
      (it is in the feed, below the position).
    - Celebrity authors are never pushed: the stream listens on the channels of those the
      reader follows when it opens (a follow made later needs a reconnect).
    - Missed events (a full buffer, a lost broker): a Reconnect item ends the stream.
    """

    def __init__(
        self,
        subscriber: Subscriber,
        timeline: TimelineService,
        notifications: NotificationService,
        lookups: Lookups,
        *,
        heartbeat_ms: int = 15_000,
        memo_seconds: float = 2.0,
    ) -> None:
        self._subscriber = subscriber
        self._timeline = timeline
        self._notifications = notifications
        self._lookups = lookups
        self._heartbeat = heartbeat_ms / 1000
        self._memo = TweetMemo(lookups, memo_seconds)
        self._open: set[FeedStream] = set()
        self._lock = threading.Lock()
        self._closing = False

    def open(self, reader_id: int, since: int | None) -> FeedStream:
        """A stream for `reader_id`, replaying from position `since` when given. Raises
        Unavailable when the broker is down (before anything is sent) or the process is
        stopping."""
        channels = [feed_channel(reader_id), user_channel(reader_id)]
        channels += [author_channel(a) for a in self._timeline.followed_celebrities(reader_id)]
        subscription = self._subscriber.subscribe(channels)
        stream = FeedStream(self, reader_id, since, subscription)
        with self._lock:
            if not self._closing:
                self._open.add(stream)
                return stream
        stream.close()
        raise Unavailable("this stream server is stopping: reconnect")

    def close_all(self) -> None:
        """End every open stream and refuse new ones (the process is stopping)."""
        with self._lock:
            self._closing = True
            streams = list(self._open)
        for stream in streams:
            stream.close()

    def discard(self, stream: FeedStream) -> None:
        """Forget a closed stream (FeedStream.close calls it)."""
        with self._lock:
            self._open.discard(stream)

    def open_count(self) -> int:
        with self._lock:
            return len(self._open)

    def replay(self, reader_id: int, since: int) -> Iterator[FeedEntry]:
        """The reader's feed entries above position `since`, oldest first."""
        lower = since
        while True:
            window = Window(limit=REPLAY_PAGE, lower=lower, newest_first=False)
            page = self._timeline.read_home_feed(reader_id, window)
            yield from reversed(page.results)
            if not page.has_next_page or page.prev_cursor is None:
                return
            lower = decode_cursor(page.prev_cursor)

    def entry(self, reader_id: int, tweet_id: int) -> FeedEntry | None:
        """The feed item of a live tweet for this reader (None once it is gone)."""
        view = self._memo.view(tweet_id)
        if view is None:
            return None
        if view.tweet.likes_count > 0:  # nobody's like, nothing to ask
            liked = self._lookups.liked(reader_id, TargetType.TWEET, [tweet_id])
            view = replace(view, has_liked=tweet_id in liked)
        return FeedEntry(id=view.tweet.id, created_at=view.tweet.created_at, tweet=view)

    def notification(self, reader_id: int, note_id: int) -> LiveNotification | None:
        view = self._notifications.view(reader_id, note_id)
        if view is None:
            return None
        return LiveNotification(view=view, unread_count=self._notifications.unread_count(reader_id))

    def forget(self, tweet_id: int) -> None:
        self._memo.forget(tweet_id)

    @property
    def heartbeat_seconds(self) -> float:
        return self._heartbeat


class FeedStream:
    """One open stream: iterate it for LiveItems (it ends after a Reconnect); close it when
    the client goes (closing the subscription). The HTTP layer closes it in a `finally`."""

    def __init__(
        self, feed: LiveFeed, reader_id: int, since: int | None, subscription: Subscription
    ) -> None:
        self._feed = feed
        self._reader = reader_id
        self._since = since
        self._subscription = subscription
        self._seen: OrderedDict[int, None] = OrderedDict()
        self._position = since if since is not None else 0
        self._closed = False

    def __iter__(self) -> Iterator[LiveItem]:
        if self._since is not None and not self._closed:
            since, self._since = self._since, None  # replayed once, however iterated
            for entry in self._feed.replay(self._reader, since):
                if (replayed := self._tweet(entry)) is not None:
                    yield replayed
        while not self._closed:
            try:
                event = self._subscription.get(self._feed.heartbeat_seconds)
            except MissedEvents as exc:
                self.close()  # nothing more from this stream: the client must reconnect
                yield Reconnect(reason=str(exc))
                return
            if event is None:
                yield Heartbeat()
                continue
            told = self._live(event)
            if told is not None:
                yield told

    def _live(self, event: StreamEvent) -> LiveItem | None:
        target = event.data.get("id")
        if not isinstance(target, int):
            return None
        if event.kind is EventKind.TWEET:
            if target in self._seen:
                return None
            entry = self._feed.entry(self._reader, target)
            return self._tweet(entry) if entry is not None else None
        if event.kind is EventKind.DELETE:
            self._feed.forget(target)
            return LiveDelete(tweet_id=target)
        return self._feed.notification(self._reader, target)

    def _tweet(self, entry: FeedEntry) -> LiveTweet | None:
        if entry.id in self._seen:
            return None
        self._seen[entry.id] = None
        if len(self._seen) > SEEN_BOUND:
            self._seen.popitem(last=False)
        self._position = max(self._position, entry.id)
        return LiveTweet(entry=entry, position=self._position)

    def close(self) -> None:
        """End the stream: iteration stops, the subscription is released. Idempotent."""
        self._closed = True
        self._subscription.close()
        self._feed.discard(self)
