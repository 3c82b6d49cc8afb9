"""RedisEventBroker: Publisher and Subscriber over Redis pub/sub, shared by every process."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Iterable
from typing import Any

import redis
from redis.client import PubSub

from core.domain.codec import UnreadableValue
from core.domain.errors import Unavailable
from core.domain.events import StreamEvent, decode_event, encode_event
from core.ports.publisher import Publisher
from core.ports.subscriber import EventBuffer, Subscriber, Subscription

LOG = logging.getLogger("chirp.events")
_NUMBERS = itertools.count(1)


class RedisEventBroker(Publisher, Subscriber):
    """Channels are Redis pub/sub channels under `prefix` (pub/sub ignores the database
    number, so the prefix is what keeps deployments and test runs apart).

    - Publishing is one pipelined round trip per batch; a down Redis logs and drops.
    - Each subscription holds its own pub/sub connection and a listener thread that moves
      messages into its bounded buffer; the thread stops and disconnects once the
      subscription is closed (within `poll_seconds`) or has missed events.
    - `subscribe` returns only once Redis confirmed every channel, so an event published
      after it returns is delivered; messages arriving between confirmations are kept.
    - A lost connection marks the subscription missed rather than reconnecting, because
      what was published during the gap is gone and only a replay recovers it.

    Cost: one Redis connection and one thread per open stream; a per-process multiplexer is
    the optimisation if streams become many.
    """

    def __init__(
        self,
        client: redis.Redis,
        prefix: str = "chirp:events:",
        *,
        buffer_size: int = 256,
        poll_seconds: float = 0.25,
        confirm_seconds: float = 2.0,
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._buffer_size = buffer_size
        self._poll_seconds = poll_seconds
        self._confirm_seconds = confirm_seconds

    def publish(self, channel: str, event: StreamEvent) -> None:
        self.publish_many([(channel, event)])

    def publish_many(self, items: Iterable[tuple[str, StreamEvent]]) -> None:
        batch = [(self._prefix + channel, encode_event(event)) for channel, event in items]
        if not batch:
            return
        try:
            with self._client.pipeline(transaction=False) as pipe:
                for name, payload in batch:
                    pipe.publish(name, payload)
                pipe.execute()
        except redis.RedisError as exc:
            # Best effort: the stores hold the truth and a stream that misses events replays.
            LOG.warning("dropped %d stream events: %s: %s", len(batch), type(exc).__name__, exc)

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        names = [self._prefix + channel for channel in dict.fromkeys(channels)]
        buffer = EventBuffer(self._buffer_size)
        if not names:
            return buffer
        # redis-py leaves pubsub() and subscribe() unannotated.
        pubsub: PubSub = self._client.pubsub()  # type: ignore[no-untyped-call]
        try:
            pubsub.subscribe(*names)  # type: ignore[no-untyped-call]
            self._await_confirmations(pubsub, buffer, len(names))
        except (redis.RedisError, OSError) as exc:
            pubsub.close()
            raise Unavailable(f"redis is unavailable: {exc}") from exc
        except Unavailable:
            pubsub.close()
            raise
        threading.Thread(
            target=self._listen,
            args=(pubsub, buffer),
            name=f"chirp-events-{next(_NUMBERS)}",
            daemon=True,
        ).start()
        return buffer

    def _await_confirmations(self, pubsub: PubSub, buffer: EventBuffer, count: int) -> None:
        deadline = time.monotonic() + self._confirm_seconds
        while count > 0:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise Unavailable("redis did not confirm the subscription in time")
            message = pubsub.get_message(timeout=remaining)
            if message is None:
                continue
            if message["type"] == "subscribe":
                count -= 1
            else:
                self._deliver(buffer, message)

    def _listen(self, pubsub: PubSub, buffer: EventBuffer) -> None:
        try:
            while buffer.live:
                message = pubsub.get_message(
                    ignore_subscribe_messages=True, timeout=self._poll_seconds
                )
                if message is not None:
                    self._deliver(buffer, message)
        except (redis.RedisError, OSError) as exc:
            LOG.warning("a stream lost its redis connection: %s: %s", type(exc).__name__, exc)
            buffer.lose(f"lost the redis connection: {exc}")
        finally:
            pubsub.close()

    @staticmethod
    def _deliver(buffer: EventBuffer, message: dict[str, Any]) -> None:
        if message["type"] != "message":
            return
        try:
            buffer.offer(decode_event(message["data"]))
        except UnreadableValue as exc:
            # A publisher of another version during a rolling deploy: skip, do not crash.
            LOG.warning("skipped an unreadable stream event: %s", exc)
