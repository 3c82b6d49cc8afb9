"""RedisEventBroker: Publisher and Subscriber over Redis pub/sub, one connection per process."""

from __future__ import annotations

import contextlib
import itertools
import logging
import selectors
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from redis.connection import AbstractConnection

from core.domain.codec import UnreadableValue
from core.domain.errors import Unavailable
from core.domain.events import StreamEvent, decode_event, encode_event
from core.ports.publisher import Publisher
from core.ports.subscriber import EventBuffer, Subscriber, Subscription

LOG = logging.getLogger("chirp.events")
_READS_PER_ROUND = 1000  # replies handled before queued subscribe requests get their turn


@dataclass(eq=False)
class _Channel:
    """One Redis channel this broker listens on: its buffers and whether Redis confirmed it."""

    buffers: set[EventBuffer] = field(default_factory=set)
    ready: threading.Event = field(default_factory=threading.Event)
    failure: str | None = None


class _Session:
    """One pub/sub connection, the requests queued for its listener, and the pair that wakes
    it; only the listener thread uses `conn`, `awaiting` and `decoded`."""

    def __init__(self, conn: AbstractConnection) -> None:
        self.conn: Any = conn  # redis-py leaves Connection's methods unannotated
        self.requests: deque[tuple[str, str, _Channel | None]] = deque()  # under broker lock
        self.awaiting: dict[str, deque[_Channel]] = {}  # SUBSCRIBEs sent, not yet confirmed
        self.stopping = self.connected = False
        self.heard_at = time.monotonic()
        self.decoded: tuple[bytes, StreamEvent] | None = None  # the last payload read
        self._wake_in, self._wake_out = socket.socketpair()
        for end in (self._wake_in, self._wake_out):
            end.setblocking(False)
        self._selector: selectors.BaseSelector | None = None

    def wake(self) -> None:
        # A full pair already holds a wake-up; a closed one has no listener left.
        with contextlib.suppress(OSError):
            self._wake_out.send(b"\0")

    def wait(self, timeout: float) -> None:
        """Wait up to `timeout` seconds for Redis data or a wake-up (listener thread only)."""
        if self._selector is None:
            self._selector = selectors.DefaultSelector()
            self._selector.register(self._wake_in, selectors.EVENT_READ)
            # redis-py keeps its socket private; select() would fail past fd 1024.
            self._selector.register(self.conn._sock, selectors.EVENT_READ)
        for key, _ in self._selector.select(timeout):
            if key.fileobj is self._wake_in:
                with contextlib.suppress(BlockingIOError):
                    self._wake_in.recv(4096)  # any left over only ends the next wait early

    def close(self) -> None:
        if self._selector is not None:
            self._selector.close()
        self.conn.disconnect()
        for end in (self._wake_in, self._wake_out):
            end.close()


class RedisEventBroker(Publisher, Subscriber):
    """Channels are Redis pub/sub channels under `prefix` (pub/sub ignores the database
    number: the prefix keeps deployments apart). Publishing is one pipelined round trip
    per batch; a down Redis logs and drops.
    - One pub/sub connection and one listener thread per broker (made at the first
      subscribe), whatever the number of subscriptions. Channels are reference-counted:
      SUBSCRIBE when a first subscription wants one, UNSUBSCRIBE when the last holder closes.
    - Only the listener thread uses that connection: subscribe and close queue requests
      under the broker lock and wake it through a socket pair, so close never blocks on Redis.
    - `subscribe` returns once Redis confirmed each channel it added (one already confirmed
      is live at once), so an event published after it returns is delivered; no answer in
      `confirm_seconds`, or a failed connection, raises Unavailable.
    - Redis confirms a channel's SUBSCRIBEs in the order they were sent, and each confirmation
      is matched to the request that sent it: a late one of a timed-out subscribe never
      passes for that of a newer SUBSCRIBE queued after an UNSUBSCRIBE of the same channel.
    - A lost connection marks every open subscription missed (what was published in the gap
      is gone; only a replay recovers it); the next subscribe connects again. An idle
      connection gets a PING every `ping_seconds`; silence for twice that counts as lost.
    - A slow reader only overflows its own buffer; an unreadable payload is skipped. Nothing
      opens before the first subscribe (a fork is safe); under gevent the listener is a greenlet.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "chirp:events:",
        *,
        buffer_size: int = 256,
        confirm_seconds: float = 2.0,
        ping_seconds: float = 15.0,
    ) -> None:
        self._client, self._prefix, self._buffer_size = client, prefix, buffer_size
        self._confirm_seconds, self._ping_seconds = confirm_seconds, ping_seconds
        self._lock = threading.Lock()
        self._channels: dict[str, _Channel] = {}  # non-empty only while a session runs
        self._session: _Session | None = None

    def publish(self, channel: str, event: StreamEvent) -> None:
        self.publish_many([(channel, event)])

    def publish_many(self, items: Iterable[tuple[str, StreamEvent]]) -> None:
        batch, seen = [], dict[int, tuple[StreamEvent, bytes]]()  # held, so no id is reused
        for channel, event in items:
            if id(event) not in seen:  # one event told to many channels is encoded once
                seen[id(event)] = (event, encode_event(event))
            batch.append((self._prefix + channel, seen[id(event)][1]))
        try:  # an empty pipeline executes without a round trip
            with self._client.pipeline(transaction=False) as pipe:
                for name, payload in batch:
                    pipe.publish(name, payload)
                pipe.execute()
        except redis.RedisError as exc:
            # Best effort: the stores hold the truth and a stream that misses events replays.
            LOG.warning("dropped %d stream events: %s: %s", len(batch), type(exc).__name__, exc)

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        names = [self._prefix + channel for channel in dict.fromkeys(channels)]
        buffer = EventBuffer(self._buffer_size, on_close=lambda: self._release(buffer, names))
        if not names:
            return buffer
        entries = self._attach(buffer, names)
        deadline = time.monotonic() + self._confirm_seconds
        for entry in entries:
            confirmed = entry.ready.wait(max(deadline - time.monotonic(), 0))
            if not confirmed or entry.failure is not None:
                buffer.close()
                why = entry.failure or f"no confirmation in time ({self._confirm_seconds} s)"
                raise Unavailable(f"redis is unavailable: {why}")
        return buffer

    def subscriber_count(self, channel: str) -> int:
        """How many open subscriptions listen on `channel` (for tests and metrics)."""
        with self._lock:
            entry = self._channels.get(self._prefix + channel)
            return len(entry.buffers) if entry is not None else 0

    def pubsub_connections(self) -> int:
        """Pub/sub connections held: 0 or 1, whatever the number of subscriptions."""
        with self._lock:
            return int(self._session is not None and self._session.connected)

    def close(self) -> None:
        """Stop the listener and its connection (open subscriptions turn missed); for shutdown."""
        with self._lock:
            session = self._session
        if session is not None:
            session.stopping = True  # read by its listener after the wake-up
            session.wake()

    def _attach(self, buffer: EventBuffer, names: list[str]) -> list[_Channel]:
        with self._lock:
            session, start = self._session, self._session is None
            if session is None:
                session = self._session = _Session(self._connection())
            entries = []
            for name in names:
                entry = self._channels.get(name)
                if entry is None:
                    entry = self._channels[name] = _Channel()
                    session.requests.append(("SUBSCRIBE", name, entry))
                entry.buffers.add(buffer)
                entries.append(entry)
        if start:
            threading.Thread(target=self._listen, args=(session,), daemon=True).start()
        session.wake()
        return entries

    def _connection(self) -> AbstractConnection:
        """A connection like the client's but outside its pool, reading bytes, and without
        redis-py's health check (it would take a pub/sub message for the PING's answer)."""
        pool = self._client.connection_pool
        options = {**pool.connection_kwargs, "decode_responses": False, "health_check_interval": 0}
        return pool.connection_class(**options)  # type: ignore[no-any-return]

    def _release(self, buffer: EventBuffer, names: list[str]) -> None:
        with self._lock:
            session, dropped = self._session, False
            for name in names:
                entry = self._channels.get(name)
                # After a lost connection the name may belong to a newer subscription.
                if entry is None or buffer not in entry.buffers:
                    continue
                entry.buffers.discard(buffer)
                if not entry.buffers:
                    del self._channels[name]
                    assert session is not None  # channels exist only while a session runs
                    session.requests.append(("UNSUBSCRIBE", name, None))
                    dropped = True
        if dropped and session is not None:
            session.wake()

    def _listen(self, session: _Session) -> None:
        reason, step = "the event broker was closed", "could not connect to redis"
        try:
            session.conn.connect()
            session.connected = True  # one flag, read by pubsub_connections
            step = "lost the redis connection"
            self._serve(session)
        except (redis.RedisError, OSError) as exc:
            reason = f"{step}: {type(exc).__name__}: {exc}"
            LOG.warning("stream events: %s", reason)
        except Exception:  # a bug must not leave subscribers waiting on a dead thread
            LOG.exception(reason := "the redis listener failed")
        finally:
            self._end(session, reason)

    def _serve(self, session: _Session) -> None:
        more = False
        while not session.stopping:
            self._send_requests(session)
            if not more:
                session.wait(self._ping_seconds / 2)
                self._keep_alive(session)
            more = self._read_replies(session)

    def _send_requests(self, session: _Session) -> None:
        with self._lock:
            requests = list(session.requests)
            session.requests.clear()
        # Consecutive requests of one verb go in one command; their order is kept.
        for verb, run in itertools.groupby(requests, key=lambda request: request[0]):
            batch = list(run)
            for _, name, entry in batch:
                if entry is not None:
                    session.awaiting.setdefault(name, deque()).append(entry)
            session.conn.send_command(verb, *[name for _, name, _ in batch], check_health=False)

    def _read_replies(self, session: _Session) -> bool:
        """Handle what Redis sent, up to a round's worth; whether more may be waiting."""
        for _ in range(_READS_PER_ROUND):
            if not session.conn.can_read(timeout=0):
                return False
            reply = session.conn.read_response()
            session.heard_at = time.monotonic()
            # [kind, channel, data] in pub/sub mode, but a bare PONG once no channel is left.
            kind, channel, *data = reply if isinstance(reply, list) else (b"pong", b"")
            name = bytes(channel).decode("utf-8", "replace")
            if kind == b"message":
                self._deliver(session, name, data[0])
            elif kind == b"subscribe":
                waiting = session.awaiting[name]
                waiting.popleft().ready.set()
                if not waiting:
                    del session.awaiting[name]
        return True

    def _keep_alive(self, session: _Session) -> None:
        quiet = time.monotonic() - session.heard_at
        if quiet >= 2 * self._ping_seconds:
            raise redis.ConnectionError("redis stopped answering pings")
        if quiet >= self._ping_seconds:  # again at each wake-up until the PONG: harmless
            session.conn.send_command("PING", check_health=False)

    def _deliver(self, session: _Session, name: str, payload: bytes) -> None:
        with self._lock:
            entry = self._channels.get(name)
            buffers = tuple(entry.buffers) if entry is not None else ()
        if not buffers:
            return
        # A fan-out batch tells many channels one event: decode it once (read-only, shared).
        if session.decoded is None or session.decoded[0] != payload:
            try:
                session.decoded = (payload, decode_event(payload))
            except UnreadableValue as exc:
                LOG.warning("skipped an unreadable stream event: %s", exc)  # another version?
                return
        event = session.decoded[1]
        for buffer in buffers:
            buffer.offer(event)

    def _end(self, session: _Session, reason: str) -> None:
        with self._lock:  # a new session starts only after this one is cleared here
            lost, self._session, self._channels = list(self._channels.values()), None, {}
        session.connected = False
        session.close()
        for entry in lost:
            entry.failure = reason
            entry.ready.set()
            for buffer in tuple(entry.buffers):
                buffer.lose(reason)
