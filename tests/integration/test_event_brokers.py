"""The two cross-process brokers' own rules: one Redis connection per process, and the
SQLite event log's position, retention and failure rules."""

from __future__ import annotations

import logging
import queue
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
import redis

from adapters.cache.clients import ping_redis
from adapters.cache.redis_events import RedisEventBroker
from adapters.mysql.event_log import SqliteEventLog
from core.domain.errors import Unavailable
from core.domain.events import EventKind, StreamEvent, encode_event, feed_channel
from core.ports.subscriber import MissedEvents, Subscription
from tests.integration.support import run_together, wait_for

REDIS_URL = "redis://127.0.0.1:6379/7"
WAIT = 5.0  # how long something that must happen may take; only a failing test waits
ROOT = Path(__file__).resolve().parents[2]


def tweet(tweet_id: int) -> StreamEvent:
    return StreamEvent(kind=EventKind.TWEET, data={"tweet_id": tweet_id}, cursor=tweet_id)


def next_event(subscription: Subscription) -> StreamEvent:
    event = subscription.get(WAIT)
    assert event is not None, "an event that must come never came"
    return event


# --- Redis: the multiplexer ---------------------------------------------------------------


@pytest.fixture
def named_redis() -> Iterator[tuple[redis.Redis, str]]:
    """A client whose connections carry a fresh name, so CLIENT LIST finds only ours."""
    name = f"chirp-test-{uuid.uuid4().hex[:12]}"
    client = redis.Redis.from_url(REDIS_URL, client_name=name, socket_connect_timeout=0.5)
    ping_redis(client)
    yield client, name
    client.close()


def _pubsub_clients(client: redis.Redis, name: str) -> int:
    clients = cast(list[dict[str, str]], client.client_list(_type="pubsub"))
    return sum(1 for c in clients if c["name"] == name)


@pytest.mark.integration
def test_two_hundred_subscriptions_share_one_redis_connection(
    named_redis: tuple[redis.Redis, str],
) -> None:
    client, name = named_redis
    broker = RedisEventBroker(client, f"chirp-test:{name}:")
    readers = [n % 150 for n in range(200)]  # 150 channels, 50 of them held twice
    streams: list[Subscription] = []
    try:
        run_together(
            *[
                lambda r=reader: streams.append(broker.subscribe([feed_channel(r)]))
                for reader in readers
            ]  # noqa: E501
        )
        assert (broker.pubsub_connections(), _pubsub_clients(client, name)) == (1, 1)
        broker.publish_many((feed_channel(reader), tweet(reader)) for reader in range(150))
        received = sorted(next_event(stream).data["tweet_id"] for stream in streams)
        assert received == sorted(readers)
    finally:
        for stream in streams:
            stream.close()
        broker.close()


@pytest.mark.integration
def test_redis_hears_a_channel_while_any_subscription_holds_it(
    named_redis: tuple[redis.Redis, str],
) -> None:
    client, name = named_redis
    prefix = f"chirp-test:{name}:"
    broker = RedisEventBroker(client, prefix)

    def redis_subscribers() -> int:
        ((_, count),) = cast(
            list[tuple[bytes, int]], client.pubsub_numsub(prefix + feed_channel(1))
        )
        return int(count)

    first, second = broker.subscribe([feed_channel(1)]), broker.subscribe([feed_channel(1)])
    try:
        assert (redis_subscribers(), broker.subscriber_count(feed_channel(1))) == (1, 2)
        first.close()
        broker.publish(feed_channel(1), tweet(1))
        assert next_event(second) == tweet(1)  # still subscribed for the one left
        assert (redis_subscribers(), broker.subscriber_count(feed_channel(1))) == (1, 1)
        second.close()
        # Closing only queues the UNSUBSCRIBE; the listener sends it at once.
        wait_for(lambda: redis_subscribers() == 0, WAIT, "the last close unsubscribes")
        assert broker.subscriber_count(feed_channel(1)) == 0
    finally:
        first.close()
        second.close()
        broker.close()


@pytest.mark.integration
def test_resubscribing_right_after_the_last_close_is_live_when_it_returns(
    named_redis: tuple[redis.Redis, str],
) -> None:
    # Each round queues UNSUBSCRIBE then SUBSCRIBE of one channel back to back; the new
    # subscription must not count as live before Redis ran its own SUBSCRIBE.
    client, name = named_redis
    broker = RedisEventBroker(client, f"chirp-test:{name}:")
    try:
        stream = broker.subscribe([feed_channel(1)])
        for round_number in range(50):
            stream.close()
            stream = broker.subscribe([feed_channel(1)])
            broker.publish(feed_channel(1), tweet(round_number))
            assert next_event(stream) == tweet(round_number)
        stream.close()
    finally:
        broker.close()


@pytest.mark.integration
def test_an_unreadable_redis_message_is_skipped_and_the_stream_goes_on(
    named_redis: tuple[redis.Redis, str], caplog: pytest.LogCaptureFixture
) -> None:
    client, name = named_redis
    prefix = f"chirp-test:{name}:"
    broker = RedisEventBroker(client, prefix)
    try:
        with broker.subscribe([feed_channel(1)]) as stream:
            client.publish(prefix + feed_channel(1), b"\xffnot an event")
            broker.publish(feed_channel(1), tweet(2))
            with caplog.at_level(logging.WARNING, "chirp.events"):
                assert next_event(stream) == tweet(2)
            assert "skipped an unreadable stream event" in caplog.text
    finally:
        broker.close()


class ScriptedRedis:
    """A Redis stand-in on a local port: it answers the connection handshake, records every
    other command, and sends only the replies a test writes, when it writes them."""

    def __init__(self) -> None:
        self._server = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._server.getsockname()[1])
        self.commands: queue.Queue[list[str]] = queue.Queue()
        self._peer: socket.socket | None = None
        self._accepted = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=1)

    def next_command(self) -> list[str]:
        return self.commands.get(timeout=WAIT)

    def next_command_but_pings(self) -> list[str]:
        while (command := self.next_command()) == ["PING"]:
            pass
        return command

    def send(self, kind: bytes, channel: bytes, last: bytes | int) -> None:
        tail = b":%d\r\n" % last if isinstance(last, int) else b"$%d\r\n%s\r\n" % (len(last), last)
        frame = b"*3\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" % (len(kind), kind, len(channel), channel)
        self.send_raw(frame + tail)

    def send_raw(self, data: bytes) -> None:
        assert self._accepted.wait(WAIT) and self._peer is not None
        self._peer.sendall(data)

    def close(self) -> None:
        self._server.close()
        if self._peer is not None:
            self._peer.close()

    def _serve(self) -> None:
        self._peer, _ = self._server.accept()
        self._accepted.set()
        reader = self._peer.makefile("rb")
        with reader:
            while line := reader.readline():
                args = []
                for _ in range(int(line[1:])):
                    size = int(reader.readline()[1:])
                    args.append(reader.read(size + 2)[:-2].decode())
                if args[0].upper() in ("CLIENT", "SELECT", "AUTH"):
                    self._peer.sendall(b"+OK\r\n")
                else:
                    self.commands.put(args)


@pytest.fixture
def scripted() -> Iterator[ScriptedRedis]:
    server = ScriptedRedis()
    yield server
    server.close()


def _subscribe_in_background(
    broker: RedisEventBroker, channel: str
) -> tuple[threading.Event, list[Subscription]]:
    done, result = threading.Event(), []

    def run() -> None:
        result.append(broker.subscribe([channel]))
        done.set()

    threading.Thread(target=run, daemon=True).start()
    return done, result


def test_closing_a_subscription_never_waits_for_redis(scripted: ScriptedRedis) -> None:
    broker = RedisEventBroker(scripted.client(), "p:")
    done, result = _subscribe_in_background(broker, "feed:1")
    assert scripted.next_command() == ["SUBSCRIBE", "p:feed:1"]
    scripted.send(b"subscribe", b"p:feed:1", 1)
    assert done.wait(WAIT)
    closed = threading.Event()

    def close() -> None:
        result[0].close()
        closed.set()

    # The stand-in never answers the UNSUBSCRIBE: close must return regardless.
    threading.Thread(target=close, daemon=True).start()
    assert closed.wait(WAIT), "close waited for redis"
    assert scripted.next_command() == ["UNSUBSCRIBE", "p:feed:1"]
    broker.close()


def test_a_late_confirmation_of_a_timed_out_subscribe_does_not_make_a_newer_one_live(
    scripted: ScriptedRedis,
) -> None:
    broker = RedisEventBroker(scripted.client(), "p:", confirm_seconds=1.0)
    with pytest.raises(Unavailable, match="no confirmation in time"):
        broker.subscribe(["feed:1"])  # the stand-in holds the confirmation back
    assert scripted.next_command() == ["SUBSCRIBE", "p:feed:1"]
    assert scripted.next_command() == ["UNSUBSCRIBE", "p:feed:1"]  # the timed-out one left
    done, result = _subscribe_in_background(broker, "feed:1")
    assert scripted.next_command() == ["SUBSCRIBE", "p:feed:1"]
    scripted.send(b"subscribe", b"p:feed:1", 1)  # answers the first SUBSCRIBE only
    # Redis has not run the UNSUBSCRIBE and the new SUBSCRIBE yet: an event published now
    # would be lost, so the new subscribe must still be waiting.
    assert not done.wait(0.3), "subscribe returned on another request's confirmation"
    scripted.send(b"unsubscribe", b"p:feed:1", 0)
    scripted.send(b"subscribe", b"p:feed:1", 1)
    assert done.wait(WAIT)
    scripted.send(b"message", b"p:feed:1", encode_event(tweet(7)))
    assert next_event(result[0]) == tweet(7)
    broker.close()


def test_a_redis_that_stops_answering_pings_marks_streams_missed(
    scripted: ScriptedRedis,
) -> None:
    broker = RedisEventBroker(scripted.client(), "p:", ping_seconds=0.1)
    done, result = _subscribe_in_background(broker, "feed:1")
    assert scripted.next_command() == ["SUBSCRIBE", "p:feed:1"]
    scripted.send(b"subscribe", b"p:feed:1", 1)
    assert done.wait(WAIT)
    assert scripted.next_command() == ["PING"]  # the connection went quiet: checked
    with pytest.raises(MissedEvents, match="stopped answering"):
        result[0].get(WAIT)  # no PONG ever comes
    assert broker.pubsub_connections() == 0
    broker.close()


def test_a_connection_left_without_channels_still_answers_and_serves_the_next_stream(
    scripted: ScriptedRedis,
) -> None:
    broker = RedisEventBroker(
        scripted.client(), "p:", ping_seconds=0.5
    )  # lost only after 1 s of silence
    done, result = _subscribe_in_background(broker, "feed:1")
    assert scripted.next_command() == ["SUBSCRIBE", "p:feed:1"]
    scripted.send(b"subscribe", b"p:feed:1", 1)
    assert done.wait(WAIT)
    result[0].close()
    assert scripted.next_command() == ["UNSUBSCRIBE", "p:feed:1"]
    scripted.send(b"unsubscribe", b"p:feed:1", 0)
    assert scripted.next_command() == ["PING"]
    scripted.send_raw(b"+PONG\r\n")  # out of pub/sub mode, Redis answers a PING plainly
    done, result = _subscribe_in_background(broker, "feed:2")
    assert scripted.next_command_but_pings() == ["SUBSCRIBE", "p:feed:2"]
    scripted.send(b"subscribe", b"p:feed:2", 1)
    assert done.wait(WAIT)
    scripted.send(b"message", b"p:feed:2", encode_event(tweet(8)))
    assert next_event(result[0]) == tweet(8)
    assert broker.pubsub_connections() == 1
    broker.close()


# --- SQLite: the event log ----------------------------------------------------------------


@pytest.fixture
def log_path(tmp_path: Path) -> Path:
    return tmp_path / "events.sqlite3"


def test_an_event_published_by_another_process_reaches_this_one(log_path: Path) -> None:
    reader = SqliteEventLog(log_path, poll_ms=10)
    publisher = (
        "import sys; from adapters.mysql.event_log import SqliteEventLog;"
        "from core.domain.events import EventKind, StreamEvent;"
        "SqliteEventLog(sys.argv[1]).publish('feed:1', "
        "StreamEvent(kind=EventKind.TWEET, data={'tweet_id': 3}, cursor=3))"
    )
    try:
        with reader.subscribe([feed_channel(1)]) as stream:
            subprocess.run([sys.executable, "-c", publisher, str(log_path)], cwd=ROOT, check=True)
            assert next_event(stream) == tweet(3)
    finally:
        reader.close()


def test_an_event_committed_before_subscribe_is_not_delivered_even_if_read_later(
    log_path: Path,
) -> None:
    # The tail polls once a second, so it reads tweet 1 only after the second subscription
    # registered: that subscription started after tweet 1's seq and must skip it.
    reader, writer = SqliteEventLog(log_path, poll_ms=1000), SqliteEventLog(log_path)
    try:
        with reader.subscribe([feed_channel(1)]) as first:
            writer.publish(feed_channel(2), tweet(1))
            with reader.subscribe([feed_channel(2)]) as second:
                writer.publish(feed_channel(2), tweet(2))
                writer.publish(feed_channel(1), tweet(3))
                assert (next_event(first), next_event(second)) == (tweet(3), tweet(2))
    finally:
        reader.close()
        writer.close()


def test_a_process_that_fell_past_the_retention_is_told_it_missed_events(
    log_path: Path,
) -> None:
    reader = SqliteEventLog(log_path, poll_ms=10)
    try:
        with reader.subscribe([feed_channel(1)]) as stream:
            # What a sweep leaves when this process's tail fell a retention behind: the
            # next row it finds is not the one after its position.
            with sqlite3.connect(log_path) as db:
                db.execute(
                    "INSERT INTO stream_events (seq, channel, payload, created_ms) "
                    "VALUES ((SELECT COALESCE(MAX(seq), 0) + 5 FROM stream_events), ?, ?, 0)",
                    (feed_channel(1), encode_event(tweet(9))),
                )
            with pytest.raises(MissedEvents, match="dropped events"):
                stream.get(WAIT)
    finally:
        reader.close()


def test_publishing_sweeps_events_older_than_the_retention(log_path: Path) -> None:
    writer = SqliteEventLog(log_path, retention_seconds=0)
    try:
        for n in range(3):
            writer.publish_many([(feed_channel(1), tweet(n)), (feed_channel(2), tweet(n))])
        with sqlite3.connect(log_path) as db:
            (rows,) = db.execute("SELECT COUNT(*) FROM stream_events").fetchone()
        assert rows == 2  # only the last batch: each publish swept the ones before it
    finally:
        writer.close()


def test_an_unreadable_row_is_skipped_and_the_stream_goes_on(
    log_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = SqliteEventLog(log_path, poll_ms=10), SqliteEventLog(log_path)
    try:
        with reader.subscribe([feed_channel(1)]) as stream, caplog.at_level(logging.WARNING):
            with sqlite3.connect(log_path) as db:  # written now, so no sweep removes it
                db.execute(
                    "INSERT INTO stream_events (channel, payload, created_ms) VALUES (?, ?, ?)",
                    (feed_channel(1), b"\xffnot an event", int(time.time() * 1000)),
                )
            writer.publish(feed_channel(1), tweet(4))
            assert next_event(stream) == tweet(4)
        assert "skipped an unreadable stream event" in caplog.text
    finally:
        reader.close()
        writer.close()


def test_a_publish_that_finds_the_file_locked_drops_its_events_quietly(
    log_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    reader, writer = SqliteEventLog(log_path, poll_ms=10), SqliteEventLog(log_path)
    try:
        with reader.subscribe([feed_channel(1)]) as stream:
            holder = sqlite3.connect(log_path, isolation_level=None)
            holder.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            with caplog.at_level(logging.WARNING, "chirp.events"):
                writer.publish(feed_channel(1), tweet(1))  # waits BUSY_MS, then drops
            holder.execute("ROLLBACK")
            holder.close()
            assert "dropped 1 stream events" in caplog.text
            writer.publish(feed_channel(1), tweet(2))
            assert next_event(stream) == tweet(2)  # tweet 1 never came first
    finally:
        reader.close()
        writer.close()


def test_closing_the_log_marks_its_open_streams_missed(log_path: Path) -> None:
    log = SqliteEventLog(log_path, poll_ms=10)
    stream = log.subscribe([feed_channel(1)])
    log.close()
    with pytest.raises(MissedEvents, match="closed"):
        stream.get(WAIT)
    with pytest.raises(Unavailable):
        log.subscribe([feed_channel(1)])
