"""LiveFeed's rules, each with the interleaving that would break it forced in order."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator, Sequence

import pytest

from adapters.memory.events import InMemoryEventBroker
from container import Container, build_container
from core.domain.errors import Unavailable
from core.domain.events import feed_channel, tweet_event
from core.domain.paging import Window
from core.domain.tweets import Tweet
from core.services.lookups import Lookups
from core.services.stream import FeedStream, Heartbeat, LiveItem, LiveTweet, Reconnect, TweetMemo
from settings import Settings
from tests.unit.harness import Harness


@pytest.fixture
def container() -> Container:
    # Heartbeats at once: a stream with nothing to say yields Heartbeat instead of waiting.
    return build_container(Settings(profile="memory", stream_heartbeat_ms=1))


def told(stream: FeedStream, count: int) -> list[LiveItem]:
    """The next `count` items that are not heartbeats."""
    items: list[LiveItem] = []
    for item in stream:
        if not isinstance(item, Heartbeat):
            items.append(item)
        if len(items) == count:
            return items
    return items


def quiet(stream: FeedStream, beats: int = 3) -> bool:
    """Whether the stream has nothing more to tell for `beats` heartbeats."""
    it: Iterator[LiveItem] = iter(stream)
    return all(isinstance(next(it), Heartbeat) for _ in range(beats))


def test_an_entry_landing_between_subscribe_and_replay_is_sent_once(h: Harness) -> None:
    alice, bob = h.user(), h.user()
    h.follow(alice, bob)
    first = h.post(bob, "before the reconnect")
    h.drain()
    stream = h.c.live_feed().open(alice.id, since=first)  # subscribed: live from here
    landed = h.post(bob, "lands before the replay reads")
    h.drain()  # in the store (the replay sees it) and in the subscription's buffer
    items = told(stream, 1)
    assert [i.entry.id for i in items if isinstance(i, LiveTweet)] == [landed]
    assert quiet(stream), "the live copy of a replayed entry was sent again"
    stream.close()


def test_the_position_never_goes_back_when_fan_outs_land_out_of_order(h: Harness) -> None:
    alice, bob, carol = h.user(), h.user(), h.user()
    h.follow(alice, bob)
    h.follow(alice, carol)
    stream = h.c.live_feed().open(alice.id, since=None)
    older = h.post(bob, "older, fanned out late")
    newer = h.post(carol, "newer, fanned out first")
    publisher = h.c.events()
    publisher.publish(feed_channel(alice.id), tweet_event(newer))
    publisher.publish(feed_channel(alice.id), tweet_event(older))
    first, second = told(stream, 2)
    assert isinstance(first, LiveTweet) and isinstance(second, LiveTweet)
    assert (first.entry.id, first.position) == (newer, newer)
    assert (second.entry.id, second.position) == (older, newer)
    stream.close()


def test_a_reader_that_falls_behind_is_told_to_reconnect_and_others_are_not_held(
    h: Harness,
) -> None:
    small = InMemoryEventBroker(buffer_size=2)
    h.c.events.override(small)
    alice, bob, carol = h.user(), h.user(), h.user()
    h.follow(alice, bob)
    h.follow(carol, bob)
    slow = h.c.live_feed().open(alice.id, since=None)
    brisk = h.c.live_feed().open(carol.id, since=None)
    sent, got = [], []
    for n in range(4):
        sent.append(h.post(bob, f"tweet number {n}"))
        h.drain()
        got += [i.entry.id for i in told(brisk, 1) if isinstance(i, LiveTweet)]
    assert got == sent
    assert isinstance(told(slow, 1)[0], Reconnect)
    assert list(slow) == []  # the stream ended after telling
    brisk.close()


def test_followers_of_a_celebrity_hear_their_tweets_though_they_are_not_pushed() -> None:
    c = build_container(Settings(profile="memory", stream_heartbeat_ms=1, celebrity_threshold=1))
    h = Harness(c)
    star, fan, other = h.user(), h.user(), h.user()
    h.follow(fan, star)
    h.follow(other, star)
    h.post(star, "makes them a celebrity")
    h.drain()
    stream = c.live_feed().open(fan.id, since=None)
    tweet = h.post(star, "heard live, never pushed")
    h.drain()
    item = told(stream, 1)[0]
    assert isinstance(item, LiveTweet) and item.entry.id == tweet
    with c.uow_factory()() as uow:
        assert tweet not in uow.feeds.tweet_ids(fan.id, Window(limit=10))
    stream.close()


def test_a_stopping_server_ends_open_streams_and_refuses_new_ones(h: Harness) -> None:
    alice = h.user()
    live = h.c.live_feed()
    stream = live.open(alice.id, since=None)
    live.close_all()
    assert list(stream) == []
    with pytest.raises(Unavailable):
        live.open(alice.id, since=None)
    assert live.open_count() == 0


class GatedLookups(Lookups):
    """Lookups whose tweet reads wait at a gate and are counted (a forced interleaving)."""

    def __init__(self, inner: Lookups, fail_first: bool = False) -> None:
        self.__dict__.update(inner.__dict__)
        self.gate = threading.Event()
        self.entered = threading.Event()
        self.reads = 0
        self._fail_first = fail_first

    def tweets(self, tweet_ids: Sequence[int]) -> list[Tweet]:
        self.reads += 1
        self.entered.set()
        self.gate.wait(10)
        if self._fail_first and self.reads == 1:
            raise Unavailable("the database went away")
        return super().tweets(tweet_ids)


def _ask_together(memo: TweetMemo, lookups: GatedLookups, tweet_id: int, readers: int) -> list:
    seen: list[object] = []
    first = threading.Thread(target=lambda: _ask(memo, tweet_id, seen))
    first.start()
    assert lookups.entered.wait(5)  # the first reader is inside its read
    others = [threading.Thread(target=lambda: _ask(memo, tweet_id, seen)) for _ in range(readers)]
    for thread in others:
        thread.start()
    time.sleep(0.1)  # let them all arrive at the memo while the read is held
    lookups.gate.set()
    for thread in [first, *others]:
        thread.join(5)
    return seen


def _ask(memo: TweetMemo, tweet_id: int, seen: list[object]) -> None:
    try:
        seen.append(memo.view(tweet_id))
    except Unavailable as exc:
        seen.append(exc)


def test_a_thousand_streams_told_of_one_tweet_read_it_once(h: Harness) -> None:
    tweet_id = h.post(h.user(), "everyone hears this one")
    lookups = GatedLookups(h.c.lookups())
    memo = TweetMemo(lookups)
    seen = _ask_together(memo, lookups, tweet_id, readers=20)
    assert lookups.reads == 1
    assert len(seen) == 21 and all(getattr(v, "tweet", None) is not None for v in seen)


def test_when_the_shared_read_fails_the_waiting_readers_read_for_themselves(h: Harness) -> None:
    tweet_id = h.post(h.user(), "the first read of this fails")
    lookups = GatedLookups(h.c.lookups(), fail_first=True)
    memo = TweetMemo(lookups)
    seen = _ask_together(memo, lookups, tweet_id, readers=3)
    assert sum(isinstance(v, Unavailable) for v in seen) == 1  # the failed reader's own
    assert sum(getattr(v, "tweet", None) is not None for v in seen) == 3
