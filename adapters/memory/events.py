"""InMemoryEventBroker: the in-process Publisher and Subscriber (tests and the embedded profile)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from adapters.memory.switch import Switch
from core.domain.events import StreamEvent
from core.ports.publisher import Publisher
from core.ports.subscriber import EventBuffer, Subscriber, Subscription


class InMemoryEventBroker(Switch, Publisher, Subscriber):
    """Channels to subscriptions, in this process only; share one instance between the
    publishers and the subscribers of a process. Thread-safe: publishing copies a channel's
    subscriptions under the lock and offers outside it, and an offer never blocks. Every
    subscription receives the published object itself: treat an event's data as read-only.

    One process only: the embedded server's several workers share events through
    `adapters.mysql.event_log.SqliteEventLog` instead; this broker serves the memory profile.

    `available = False` (Switch) takes it down: publish logs and drops, subscribe raises
    Unavailable, as the Redis adapter does when Redis is down.
    """

    def __init__(self, buffer_size: int = 256) -> None:
        super().__init__()
        self._buffer_size = buffer_size
        self._channels: dict[str, set[EventBuffer]] = {}
        self._lock = threading.Lock()

    def publish(self, channel: str, event: StreamEvent) -> None:
        self.publish_many([(channel, event)])

    def publish_many(self, items: Iterable[tuple[str, StreamEvent]]) -> None:
        batch = list(items)
        if not batch or not self.reachable():
            return
        with self._lock:
            deliveries = [(tuple(self._channels.get(ch, ())), event) for ch, event in batch]
        for buffers, event in deliveries:
            for buffer in buffers:
                buffer.offer(event)

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        self.check()
        wanted = list(dict.fromkeys(channels))
        buffer = EventBuffer(self._buffer_size, on_close=lambda: self._forget(buffer, wanted))
        with self._lock:
            for channel in wanted:
                self._channels.setdefault(channel, set()).add(buffer)
        return buffer

    def subscriber_count(self, channel: str) -> int:
        """How many open subscriptions listen on `channel` (for tests and metrics)."""
        with self._lock:
            return len(self._channels.get(channel, ()))

    def _forget(self, buffer: EventBuffer, channels: list[str]) -> None:
        with self._lock:
            for channel in channels:
                listeners = self._channels.get(channel)
                if listeners is not None:
                    listeners.discard(buffer)
                    if not listeners:
                        del self._channels[channel]
