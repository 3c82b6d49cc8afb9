"""Publisher port: best-effort delivery of stream events to whoever listens on a channel."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterable
from typing import Protocol

from core.domain.events import StreamEvent


class Publisher(Protocol):
    """Sends events to the current subscribers of a channel (see `core.domain.events` for
    the channel names), in any process that shares the backend. Not part of the unit of
    work: publish after the commit that made the event true.

    Best effort, by design: the feed and notification stores are the truth and a stream
    that misses events replays them. So a publish never raises for a down backend: it logs
    a warning and drops the events. Nobody listening is not an error either. Events of one
    channel published from one thread arrive in that order; nothing is kept for a
    subscriber that comes later.
    """

    @abstractmethod
    def publish(self, channel: str, event: StreamEvent) -> None:
        """Send `event` to every subscription of `channel`, in one round trip."""

    @abstractmethod
    def publish_many(self, items: Iterable[tuple[str, StreamEvent]]) -> None:
        """Send each (channel, event), in order, all in one round trip (a fan-out batch
        telling many readers of one tweet). An empty batch costs nothing."""
