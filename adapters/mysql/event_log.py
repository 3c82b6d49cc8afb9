"""SqliteEventLog: Publisher and Subscriber over a SQLite file shared by one machine's processes."""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine

from adapters.mysql.engine import make_engine
from core.domain.codec import UnreadableValue
from core.domain.errors import Unavailable
from core.domain.events import StreamEvent, decode_event, encode_event
from core.ports.publisher import Publisher
from core.ports.subscriber import EventBuffer, Subscriber, Subscription

LOG = logging.getLogger("chirp.events")
BUSY_MS = 1000  # a publisher waits this long for the write lock, then drops its batch
PAGE = 2000  # rows a tail reads per query; a full page is followed by another at once
SWEEP_ROWS = 10_000  # oldest rows a sweep looks at, plus twice the batch being published
# Whatever fails here means "the file cannot serve us now"; publish drops, subscribe refuses.
_FAILURES = (sa_exc.DBAPIError, sqlite3.Error, OSError, Unavailable)

# Not in `tables.py`: events are a transient log, in a file of their own that nothing
# migrates or backs up (like `ratelimits.sqlite3`).
event_metadata = sa.MetaData()
stream_events = sa.Table(
    "stream_events",
    event_metadata,
    # AUTOINCREMENT: a seq is never reused, even after the newest rows were swept.
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("channel", sa.Text, nullable=False),
    sa.Column("payload", sa.LargeBinary, nullable=False),
    # Wall-clock milliseconds: shared by the processes, only compared with the retention.
    sa.Column("created_ms", sa.BigInteger, nullable=False),
    sqlite_autoincrement=True,
)
_LAST_SEQ = sa.text("SELECT seq FROM sqlite_sequence WHERE name = 'stream_events'")


class SqliteEventLog(Publisher, Subscriber):
    """Events as rows of `stream_events` in their own SQLite file (WAL), so every process
    of one machine that opens the file hears what any of them publishes; no server.

    - Publish is one transaction per batch (its rows and, now and then, a sweep); best
      effort: a file locked for more than BUSY_MS, or broken, logs a warning and drops.
    - Each process has one tail thread (started at its first subscribe) that reads rows
      with `seq > last` every `poll_ms` and offers each to the buffers of its channel, in
      seq order; a process with no subscriptions reads nothing.
    - Position rule: SQLite has one writer at a time and a seq is assigned inside the write
      transaction, so rows commit in seq order and committed seqs have no holes except
      swept ones. A subscription starts at the last seq assigned when it subscribes
      (`sqlite_sequence`) and is offered only rows after it, so a row committed before is
      never delivered, even if the tail reads it later. The tail moves past a row only
      after offering it to the buffers registered then, so a row committed after
      `subscribe` returned (a higher seq than any the tail has read) is delivered.
    - Retention: a publisher deletes rows older than `retention_seconds`, oldest first, at
      most SWEEP_ROWS plus twice its batch each time, at most every `retention / 10`
      seconds (1 s at most). A tail that finds a hole after its position (it fell a whole
      retention behind) marks the subscriptions that needed those rows missed.
    - Nothing opens before the first use (the master may build this before forking); the
      schema is created then (IF NOT EXISTS), and retried on later uses if it failed.
    - A slow reader only overflows its own buffer; an unreadable payload is skipped.
    Under gevent the tail is a greenlet; SQLite calls do not yield, so a publish that waits
    for the lock holds its worker up to BUSY_MS.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        buffer_size: int = 256,
        poll_ms: int = 50,
        retention_seconds: float = 60.0,
    ) -> None:
        self._path = Path(path)
        self._buffer_size = buffer_size
        self._poll_seconds = poll_ms / 1000
        self._retention_ms = int(retention_seconds * 1000)
        self._sweep_every_ms = min(self._retention_ms // 10, 1000)
        self._next_sweep_ms = 0
        self._lock = threading.Lock()
        self._engine: Engine | None = None
        self._schema_ready = False
        # channel -> {buffer: the seq it starts after}
        self._channels: dict[str, dict[EventBuffer, int]] = {}
        self._last: int | None = None  # the tail's position; None while nobody listens
        self._stopped = threading.Event()
        self._tail: threading.Thread | None = None

    def publish(self, channel: str, event: StreamEvent) -> None:
        self.publish_many([(channel, event)])

    def publish_many(self, items: Iterable[tuple[str, StreamEvent]]) -> None:
        now, rows = int(time.time() * 1000), []
        seen: dict[int, tuple[StreamEvent, bytes]] = {}  # holds each event, so no id is reused
        for channel, event in items:
            if id(event) not in seen:  # one event told to many channels is encoded once
                seen[id(event)] = (event, encode_event(event))
            rows.append({"channel": channel, "payload": seen[id(event)][1], "created_ms": now})
        if not rows:
            return
        try:
            with self._ready_engine().begin() as conn:
                self._sweep(conn, now, len(rows))
                conn.execute(sa.insert(stream_events), rows)
        except _FAILURES as exc:
            # Best effort: the stores hold the truth and a stream that misses events replays.
            LOG.warning("dropped %d stream events: %s: %s", len(rows), type(exc).__name__, exc)

    def subscribe(self, channels: Iterable[str]) -> Subscription:
        wanted = list(dict.fromkeys(channels))
        buffer = EventBuffer(self._buffer_size, on_close=lambda: self._forget(buffer, wanted))
        if not wanted:
            return buffer
        if self._stopped.is_set():
            raise Unavailable("the event log was closed")
        try:
            with self._ready_engine().connect() as conn:
                since = int(conn.execute(_LAST_SEQ).scalar() or 0)
        except _FAILURES as exc:
            raise Unavailable(f"the event log is unavailable: {exc}") from exc
        with self._lock:
            for channel in wanted:
                self._channels.setdefault(channel, {})[buffer] = since
            if self._last is None:
                self._last = since
            if self._tail is None and not self._stopped.is_set():
                self._tail = threading.Thread(target=self._follow, name="chirp-event-log")
                self._tail.daemon = True
                self._tail.start()
        return buffer

    def subscriber_count(self, channel: str) -> int:
        """How many open subscriptions of this process listen on `channel`."""
        with self._lock:
            return len(self._channels.get(channel, ()))

    def close(self) -> None:
        """Stop the tail (open subscriptions are marked missed) and close the file."""
        self._stopped.set()
        with self._lock:
            tail, buffers = self._tail, {b for held in self._channels.values() for b in held}
        if tail is not None:
            tail.join(5 * self._poll_seconds + 1)
        for buffer in buffers:
            buffer.lose("the event log was closed")
        if self._engine is not None:
            self._engine.dispose()

    def _ready_engine(self) -> Engine:
        with self._lock:
            if self._engine is None:
                self._engine = make_engine(f"sqlite:///{self._path}")
                sa.event.listen(self._engine, "connect", _shorten_busy_wait)
            engine = self._engine
        if not self._schema_ready:
            with engine.begin() as conn:
                conn.execute(sa.schema.CreateTable(stream_events, if_not_exists=True))
            self._schema_ready = True
        return engine

    def _sweep(self, conn: sa.Connection, now_ms: int, inserting: int) -> None:
        if now_ms < self._next_sweep_ms:
            return
        self._next_sweep_ms = now_ms + self._sweep_every_ms
        c = stream_events.c
        oldest = sa.select(c.seq).order_by(c.seq).limit(SWEEP_ROWS + 2 * inserting)
        conn.execute(
            sa.delete(stream_events).where(
                c.seq.in_(oldest), c.created_ms <= now_ms - self._retention_ms
            )
        )

    def _forget(self, buffer: EventBuffer, channels: list[str]) -> None:
        with self._lock:
            for channel in channels:
                held = self._channels.get(channel)
                if held is not None:
                    held.pop(buffer, None)
                    if not held:
                        del self._channels[channel]

    def _follow(self) -> None:
        failing = False
        while not self._stopped.wait(self._poll_seconds):
            try:
                while self._poll() and not self._stopped.is_set():
                    pass
                failing = False
            except _FAILURES as exc:
                # The rows stay in the file for the retention: the next poll catches up.
                if not failing:
                    LOG.warning("the event log tail cannot read: %s: %s", type(exc).__name__, exc)
                failing = True

    def _poll(self) -> bool:
        """Deliver the rows after the tail's position; whether a full page was read."""
        with self._lock:
            if not self._channels:
                self._last = None  # nobody listens: the next subscriber sets the position
                return False
            last = self._last
        assert last is not None  # set by the subscribe that registered a channel
        c = stream_events.c
        query = sa.select(c.seq, c.channel, c.payload).where(c.seq > last).order_by(c.seq)
        with self._ready_engine().connect() as conn:
            rows = conn.execute(query.limit(PAGE)).all()
        if not rows:
            return False
        if rows[0].seq > last + 1:
            self._lose_before(rows[0].seq)
        self._deliver(rows)
        with self._lock:
            self._last = rows[-1].seq
        return len(rows) == PAGE

    def _lose_before(self, first: int) -> None:
        """Rows between the tail's position and `first` were swept before it read them."""
        with self._lock:
            behind = {
                b for held in self._channels.values() for b, s in held.items() if s < first - 1
            }
        for buffer in behind:
            buffer.lose("the event log dropped events this process had not read yet")

    def _deliver(self, rows: Sequence[Any]) -> None:
        with self._lock:
            targets = {
                row.channel: tuple(self._channels[row.channel].items())
                for row in rows
                if row.channel in self._channels
            }
        decoded: dict[bytes, StreamEvent] = {}  # a fan-out batch repeats one payload
        for seq, channel, payload in rows:
            held = targets.get(channel)
            if not held:
                continue
            if payload not in decoded:
                try:
                    decoded[payload] = decode_event(payload)
                except UnreadableValue as exc:
                    # A publisher of another version during a rolling deploy: skip, not crash.
                    LOG.warning("skipped an unreadable stream event: %s", exc)
                    continue
            event = decoded[payload]
            for buffer, since in held:
                if seq > since:
                    buffer.offer(event)


def _shorten_busy_wait(dbapi_connection: Any, _record: Any) -> None:
    # After make_engine's own pragmas (listeners run in order): events wait less than data.
    dbapi_connection.execute(f"PRAGMA busy_timeout={BUSY_MS}")
