"""Subscriber port: a live stream's bounded, droppable view of some channels' events."""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections import deque
from collections.abc import Callable, Iterable
from types import TracebackType
from typing import Protocol, Self

from core.domain.events import StreamEvent


class MissedEvents(Exception):
    """A subscription dropped events (its reader fell behind, or the backend connection was
    lost): the stream must tell its client to reconnect and replay the store."""


class Subscription(Protocol):
    """Events of the subscribed channels, in arrival order, held in a bounded buffer.

    Rules:
    - Every event published after `subscribe` returned is delivered, until `close`.
    - A reader that stops reading never slows the publisher or other subscriptions: when
      its buffer is full the next event marks it missed; from then on it drops everything
      and `get` raises MissedEvents (the buffered events are discarded too: the client
      replays the store anyway). Losing the backend connection marks it missed the same way.
    - After `close` nothing more is delivered and `get` returns None at once.
    """

    @abstractmethod
    def get(self, timeout: float) -> StreamEvent | None:
        """The next event, waiting up to `timeout` seconds; None when none came (or closed).
        Raises MissedEvents once events were dropped."""

    @abstractmethod
    def close(self) -> None:
        """Stop delivery and release the subscription's resources. Idempotent."""

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


class Subscriber(Protocol):
    """Opens subscriptions to channels (see `core.domain.events` for their names). Not part
    of the unit of work; a down backend raises Unavailable (the stream then cannot start)."""

    @abstractmethod
    def subscribe(self, channels: Iterable[str]) -> Subscription:
        """A subscription to every channel of `channels`, live when this returns (an event
        published afterwards is delivered). Close it when the stream ends."""


class EventBuffer(Subscription):
    """The bounded buffer behind every adapter's Subscription, so the overflow rule is
    written once. The delivering side calls `offer` (never blocks) or `lose`; `on_close`
    runs once, outside the lock, when the reader closes it."""

    def __init__(self, bound: int, on_close: Callable[[], None] | None = None) -> None:
        if bound < 1:
            raise ValueError("a subscription buffer holds at least one event")
        self._bound = bound
        self._events: deque[StreamEvent] = deque()
        self._ready = threading.Condition()
        self._missed: str | None = None
        self._closed = False
        self._on_close = on_close

    @property
    def live(self) -> bool:
        """Still delivering: neither closed nor missed (a feeding thread may stop when not)."""
        return not self._closed and self._missed is None

    def wait_missed(self, timeout: float) -> bool:
        """Wait up to `timeout` seconds for the subscription to be marked missed; whether it
        is (a test's way to wait for an overflow without reading)."""
        with self._ready:
            return self._ready.wait_for(lambda: self._missed is not None, timeout)

    def offer(self, event: StreamEvent) -> None:
        """Buffer `event`, or mark the subscription missed when the buffer is full."""
        with self._ready:
            if self._closed or self._missed is not None:
                return
            if len(self._events) >= self._bound:
                self._drop(f"the reader fell {self._bound} events behind")
                return
            self._events.append(event)
            self._ready.notify()

    def lose(self, reason: str) -> None:
        """Mark the subscription missed: events were (or may have been) lost upstream."""
        with self._ready:
            if not self._closed and self._missed is None:
                self._drop(reason)

    def _drop(self, reason: str) -> None:
        self._missed = reason
        self._events.clear()
        self._ready.notify_all()

    def get(self, timeout: float) -> StreamEvent | None:
        with self._ready:
            self._ready.wait_for(
                lambda: self._events or self._closed or self._missed is not None, timeout
            )
            if self._closed:
                return None
            if self._missed is not None:
                raise MissedEvents(self._missed)
            return self._events.popleft() if self._events else None

    def close(self) -> None:
        with self._ready:
            if self._closed:
                return
            self._closed = True
            self._events.clear()
            self._ready.notify_all()
        if self._on_close is not None:
            self._on_close()
