"""A test's Server-Sent Events reader: parses a byte stream into events on a thread."""

from __future__ import annotations

import http.client
import json
import queue
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One SSE event as a client sees it (comments are events of kind "comment")."""

    kind: str
    data: str
    id: str | None

    @property
    def json(self) -> Any:
        return json.loads(self.data)


def parse(chunks: Iterable[bytes]) -> Iterable[Event]:
    """Events from the raw bytes of a text/event-stream, however they are chunked."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        while b"\n\n" in pending:
            block, pending = pending.split(b"\n\n", 1)
            yield from _event(block.decode())


def _event(block: str) -> Iterable[Event]:
    kind, data, event_id, comment = "message", [], None, None
    for line in block.split("\n"):
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "":
            comment = value
        elif field == "event":
            kind = value
        elif field == "data":
            data.append(value)
        elif field == "id":
            event_id = value
    if data:
        yield Event(kind, "\n".join(data), event_id)
    elif comment is not None:
        yield Event("comment", comment, None)


class EventReader:
    """Reads `chunks` on a daemon thread; `next` waits for the next event of a kind.
    `close` stops reading at the next chunk (a heartbeat at the latest) and then runs
    `on_close` on the reading thread, the one iterating the chunks (a generator cannot be
    closed from another thread while it runs)."""

    def __init__(self, chunks: Iterable[bytes], on_close: Callable[[], None] | None = None):
        self._events: queue.Queue[Event | None] = queue.Queue()
        self._chunks = chunks
        self._on_close = on_close
        self._stop = threading.Event()
        self.ended = threading.Event()
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for event in parse(self._until_stopped()):
                self._events.put(event)
        except (OSError, ValueError, http.client.HTTPException):
            pass  # the connection was closed under the reader (the test closed it)
        finally:
            if self._on_close is not None:
                self._on_close()
            self.ended.set()
            self._events.put(None)

    def _until_stopped(self) -> Iterable[bytes]:
        for chunk in self._chunks:
            yield chunk
            if self._stop.is_set():
                return

    def next(self, kind: str | None = None, timeout: float = 10.0) -> Event:
        """The next event of `kind` (any non-comment when None), skipping the others."""
        while True:
            try:
                event = self._events.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(f"no {kind or 'event'} within {timeout} s") from None
            if event is None:
                self._events.put(None)
                raise AssertionError(f"the stream ended before a {kind or 'event'}")
            if (kind is None and event.kind != "comment") or event.kind == kind:
                return event

    def take(self, count: int, kind: str, timeout: float = 10.0) -> list[Event]:
        return [self.next(kind, timeout) for _ in range(count)]

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
