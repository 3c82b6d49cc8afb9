"""Background roles of a process as context resources: a job consumer, loops, a hand-off."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Generator, Iterator, Sequence
from typing import Generic, TypeVar

from core.ports.task_queue import Consumer, JobHandler, TaskQueue

log = logging.getLogger("chirp.background")
T = TypeVar("T")
REQUESTS_FIRST_SECONDS = 0.001


def requests_first() -> None:
    """A background job's pause between two steps, on a server that runs jobs beside its
    requests (embedded, gevent): a request ready or arriving within the pause runs first,
    so it waits for at most one step of a job, never a whole job. The pause is short and
    a timer (not "when idle"), so a busy server still moves its jobs along."""
    time.sleep(REQUESTS_FIRST_SECONDS)


def consuming(
    queue: TaskQueue, handler: JobHandler, threads: int, stop_timeout: float = 30.0
) -> Iterator[Consumer]:
    """Run jobs from `queue` with `handler` until the resource is shut down; at shutdown the
    jobs in flight get `stop_timeout` seconds to finish, and any still running go back to
    the queue (they are not acknowledged)."""
    consumer = queue.consume(handler, threads=threads)
    try:
        yield consumer
    finally:
        consumer.stop(stop_timeout)


def every(name: str, step: Callable[[], object], interval_ms: int) -> Iterator[threading.Event]:
    """Call `step` on a daemon thread every `interval_ms` until shutdown (then once more,
    so work recorded just before the stop is not left behind). A failing step is logged
    and tried again at the next tick: a loop that died silently would strand work."""
    stopped = threading.Event()

    def loop() -> None:
        while True:
            finished = stopped.wait(interval_ms / 1000)
            try:
                step()
            except Exception:
                log.exception("%s failed; trying again in %d ms", name, interval_ms)
            if finished:
                return

    thread = threading.Thread(target=loop, name=f"chirp-{name}", daemon=True)
    thread.start()
    try:
        yield stopped
    finally:
        stopped.set()
        thread.join(timeout=30)


class HandOff(Generic[T]):
    """Items given to `submit` reach `step` on one daemon thread, in order, in batches of up
    to `batch` (what piled up while the last step ran), so the submitter does not wait.

    Rules: a failing step is logged and its batch dropped (the caller keeps a durable copy:
    the outbox). Past `limit` waiting items, or once closed, `submit` runs `step` itself
    (back-pressure instead of an unbounded backlog). `close` waits for what was submitted.
    """

    def __init__(self, name: str, step: Callable[[list[T]], object], limit: int, batch: int):
        self._step, self._limit, self._batch = step, limit, batch
        self._cond = threading.Condition()
        self._items: list[T] = []
        self._closed = False
        self._thread = threading.Thread(target=self._loop, name=f"chirp-{name}", daemon=True)
        self._thread.start()

    def submit(self, items: Sequence[T]) -> None:
        with self._cond:
            queued = not self._closed and len(self._items) < self._limit
            if queued:
                self._items.extend(items)
                self._cond.notify()
        if not queued:
            self._run(list(items))

    def close(self, timeout: float) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: bool(self._items) or self._closed)
                batch, self._items = self._items[: self._batch], self._items[self._batch :]
            if not batch:
                return  # closed, and nothing is left
            self._run(batch)

    def _run(self, batch: list[T]) -> None:
        try:
            self._step(batch)
        except Exception:
            log.exception("a hand-off step failed; %d items dropped", len(batch))


def handing_off(
    name: str,
    step: Callable[[list[T]], object],
    limit: int = 10_000,
    batch: int = 100,
    stop_timeout: float = 30.0,
) -> Generator[Callable[[Sequence[T]], None], None, None]:
    """A HandOff's `submit` for the lifetime of a container; at shutdown what was submitted
    is still stepped (for up to `stop_timeout` seconds) before the thread ends."""
    hand_off = HandOff(name, step, limit, batch)
    try:
        yield hand_off.submit
    finally:
        hand_off.close(stop_timeout)
