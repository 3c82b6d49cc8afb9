"""Contract of Publisher and Subscriber: best-effort channel events into bounded subscriptions."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

import pytest
import redis

from adapters.cache.clients import make_redis, ping_redis
from adapters.cache.redis_events import RedisEventBroker
from adapters.memory import InMemoryEventBroker
from adapters.mysql.event_log import SqliteEventLog
from core.domain.errors import Unavailable
from core.domain.events import EventKind, StreamEvent, author_channel, feed_channel, user_channel
from core.ports.publisher import Publisher
from core.ports.subscriber import EventBuffer, MissedEvents, Subscriber, Subscription

EVENT_BACKENDS = ["memory", pytest.param("redis", marks=pytest.mark.integration), "sqlite"]
# Pub/sub ignores the database number; the per-test channel prefix is what isolates runs.
REDIS_URL = f"redis://127.0.0.1:{os.environ.get('CHIRP_REDIS_PORT', '6379')}/7"
BOUND = 4
# How long a get may wait for an event that must come; only a failing test waits this long.
ARRIVAL_SECONDS = 5.0


@dataclass
class Broker:
    """A publisher and a subscriber that share channels, the subscriptions to close, and
    the brokers to close after them."""

    publisher: Publisher
    subscriber: Subscriber
    opened: list[Subscription] = field(default_factory=list)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def subscribe(self, *channels: str) -> Subscription:
        subscription = self.subscriber.subscribe(channels)
        self.opened.append(subscription)
        return subscription


def tweet(tweet_id: int, **data: object) -> StreamEvent:
    return StreamEvent(kind=EventKind.TWEET, data={"tweet_id": tweet_id, **data}, cursor=tweet_id)


def arrived(subscription: Subscription, count: int = 1) -> list[StreamEvent]:
    """The next `count` events, each of which must come within ARRIVAL_SECONDS."""
    events: list[StreamEvent] = []
    for _ in range(count):
        event = subscription.get(ARRIVAL_SECONDS)
        assert event is not None, f"event {len(events) + 1} of {count} never came"
        events.append(event)
    return events


def _redis_client(url: str) -> redis.Redis:
    client = make_redis(url)
    ping_redis(client)  # a down server fails the test loudly, naming it
    return client


def _broker_pair(kind: str, tmp_path: Path) -> Broker:
    """Both sides of one backend; for Redis and SQLite two brokers standing for two
    processes (separate clients; two logs on one file), so events cross between them."""
    if kind == "memory":
        memory = InMemoryEventBroker(buffer_size=BOUND)
        return Broker(publisher=memory, subscriber=memory)
    if kind == "redis":
        prefix = f"chirp-test:{uuid.uuid4().hex[:16]}:"
        writer = RedisEventBroker(_redis_client(REDIS_URL), prefix)
        reader = RedisEventBroker(_redis_client(REDIS_URL), prefix, buffer_size=BOUND)
        return Broker(publisher=writer, subscriber=reader, closers=[reader.close, writer.close])
    path = tmp_path / "events.sqlite3"
    log_writer = SqliteEventLog(path)
    log_reader = SqliteEventLog(path, buffer_size=BOUND, poll_ms=10)
    return Broker(
        publisher=log_writer, subscriber=log_reader, closers=[log_reader.close, log_writer.close]
    )


@pytest.fixture(params=EVENT_BACKENDS)
def broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Broker]:
    """A broker pair; every subscription, then every broker, is closed afterwards."""
    pair = _broker_pair(request.param, tmp_path)
    yield pair
    for subscription in pair.opened:
        subscription.close()
    for close in pair.closers:
        close()


def test_an_event_reaches_every_subscriber_of_its_channel_and_no_other(broker: Broker) -> None:
    first, second = broker.subscribe(feed_channel(1)), broker.subscribe(feed_channel(1))
    other = broker.subscribe(feed_channel(2))
    broker.publisher.publish(feed_channel(1), tweet(10))
    broker.publisher.publish(feed_channel(2), tweet(20))
    assert arrived(first) == arrived(second) == [tweet(10)]
    # Had tweet 10 leaked to feed 2, it would come before tweet 20.
    assert arrived(other) == [tweet(20)]


def test_one_subscription_hears_all_of_its_channels(broker: Broker) -> None:
    stream = broker.subscribe(feed_channel(1), user_channel(1), author_channel(7))
    note = StreamEvent(kind=EventKind.NOTIFICATION, data={"notification_id": 3, "unread": 2})
    broker.publisher.publish(author_channel(7), tweet(70))
    broker.publisher.publish(user_channel(1), note)
    broker.publisher.publish(feed_channel(1), tweet(11))
    assert arrived(stream, 3) == [tweet(70), note, tweet(11)]


def test_events_of_one_channel_arrive_in_the_order_published(broker: Broker) -> None:
    stream = broker.subscribe(feed_channel(1))
    gone = StreamEvent(kind=EventKind.DELETE, data={"tweet_id": 1})
    broker.publisher.publish(feed_channel(1), tweet(1))
    broker.publisher.publish(feed_channel(1), gone)
    broker.publisher.publish_many([(feed_channel(1), tweet(3)), (feed_channel(1), tweet(2))])
    assert arrived(stream, 4) == [tweet(1), gone, tweet(3), tweet(2)]


def test_a_published_batch_reaches_each_reader_once(broker: Broker) -> None:
    readers = {reader: broker.subscribe(feed_channel(reader)) for reader in (1, 2, 3)}
    broker.publisher.publish_many((feed_channel(reader), tweet(50)) for reader in readers)
    broker.publisher.publish_many([])
    for reader, stream in readers.items():
        broker.publisher.publish(feed_channel(reader), tweet(51))
        # A duplicate of tweet 50 would come before tweet 51.
        assert arrived(stream, 2) == [tweet(50), tweet(51)]


def test_an_event_arrives_equal_to_what_was_published(broker: Broker) -> None:
    stream = broker.subscribe(user_channel(5))
    event = StreamEvent(
        kind=EventKind.NOTIFICATION,
        data={"text": "héllo ✓", "unread": 2**40, "ids": [1, 2], "nested": {"ok": True, "x": None}},
        cursor=None,
    )
    broker.publisher.publish(user_channel(5), event)
    assert arrived(stream) == [event]


def test_a_reader_that_stops_reading_overflows_and_the_others_get_everything(
    broker: Broker,
) -> None:
    stalled, reading = broker.subscribe(feed_channel(1)), broker.subscribe(feed_channel(1))
    published = [tweet(n) for n in range(1, 2 * BOUND + 1)]
    for event in published:
        broker.publisher.publish(feed_channel(1), event)  # never blocks on the stalled one
        assert arrived(reading) == [event]
    assert isinstance(stalled, EventBuffer)
    assert stalled.wait_missed(ARRIVAL_SECONDS)
    with pytest.raises(MissedEvents):
        stalled.get(ARRIVAL_SECONDS)
    # Once missed it stays missed; a reconnect is a fresh subscription, which works.
    broker.publisher.publish(feed_channel(1), tweet(99))
    with pytest.raises(MissedEvents):
        stalled.get(0)
    assert arrived(reading) == [tweet(99)]
    again = broker.subscribe(feed_channel(1))
    broker.publisher.publish(feed_channel(1), tweet(100))
    assert arrived(again) == [tweet(100)]


def test_a_closed_subscription_gets_nothing_more(broker: Broker) -> None:
    closing, staying = broker.subscribe(feed_channel(1)), broker.subscribe(feed_channel(1))
    broker.publisher.publish(feed_channel(1), tweet(1))
    assert arrived(closing) == [tweet(1)]
    closing.close()
    closing.close()
    broker.publisher.publish(feed_channel(1), tweet(2))
    assert arrived(staying, 2) == [tweet(1), tweet(2)]
    assert closing.get(ARRIVAL_SECONDS) is None  # at once: a closed subscription never waits


def test_publishing_to_a_channel_nobody_hears_is_fine(broker: Broker) -> None:
    broker.publisher.publish(feed_channel(404), tweet(1))
    stream = broker.subscribe(feed_channel(404))
    broker.publisher.publish(feed_channel(404), tweet(2))
    assert arrived(stream) == [tweet(2)]  # nothing is kept for a later subscriber


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


DownBroker = InMemoryEventBroker | RedisEventBroker | SqliteEventLog


@pytest.fixture(params=["memory", "redis", "sqlite"])
def down_broker(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[DownBroker]:
    """Memory switched off, Redis on a port where nothing listens (no server needed), or
    an event log whose file is not a database."""
    if request.param == "memory":
        memory = InMemoryEventBroker()
        memory.available = False
        yield memory
    elif request.param == "redis":
        client = make_redis(f"redis://127.0.0.1:{_closed_port()}/7")
        down = RedisEventBroker(client, "chirp-test:")
        yield down
        down.close()
    else:
        path = tmp_path / "events.sqlite3"
        path.write_bytes(b"this is not a SQLite database, " * 100)
        log = SqliteEventLog(path)
        yield log
        log.close()


def test_a_down_backend_refuses_subscriptions_but_drops_publishes_quietly(
    down_broker: DownBroker,
) -> None:
    down_broker.publish(feed_channel(1), tweet(1))
    down_broker.publish_many([(feed_channel(1), tweet(2)), (feed_channel(2), tweet(2))])
    with pytest.raises(Unavailable):
        down_broker.subscribe([feed_channel(1)])
    with pytest.raises(Unavailable):  # and again: a refusal leaves nothing half-open behind
        down_broker.subscribe([feed_channel(1), feed_channel(2)])


def test_closing_a_memory_subscription_unregisters_it() -> None:
    memory = InMemoryEventBroker()
    first = memory.subscribe([feed_channel(1), feed_channel(1), user_channel(1)])
    second = memory.subscribe([feed_channel(1)])
    assert memory.subscriber_count(feed_channel(1)) == 2
    first.close()
    assert (memory.subscriber_count(feed_channel(1)), memory.subscriber_count(user_channel(1))) == (
        1,
        0,
    )
    second.close()
    assert memory.subscriber_count(feed_channel(1)) == 0


@pytest.mark.integration
def test_losing_redis_marks_every_stream_missed_and_the_next_subscribe_reconnects() -> None:
    # Events published while the connection is down are gone; redis-py would resubscribe
    # silently, so the adapter must say "missed" rather than carry on past a gap.
    name = f"chirp-test-{uuid.uuid4().hex[:12]}"
    client = redis.Redis.from_url(REDIS_URL, client_name=name, socket_connect_timeout=0.5)
    ping_redis(client)
    broker = RedisEventBroker(client, f"chirp-test:{name}:")
    streams = [broker.subscribe([feed_channel(n)]) for n in (1, 1, 2)]
    try:
        pubsub_clients = cast(list[dict[str, str]], client.client_list(_type="pubsub"))
        (ours,) = [c["id"] for c in pubsub_clients if c["name"] == name]
        client.client_kill_filter(_id=ours)  # only this test's own connection
        for stream in streams:
            with pytest.raises(MissedEvents, match="lost the redis connection"):
                stream.get(ARRIVAL_SECONDS)
        again = broker.subscribe([feed_channel(1)])
        streams.append(again)
        broker.publish(feed_channel(1), tweet(5))
        assert arrived(again) == [tweet(5)]
        assert broker.pubsub_connections() == 1
    finally:
        for stream in streams:
            stream.close()
        broker.close()
        client.close()
