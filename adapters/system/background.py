"""Background roles of a process as context resources: a job consumer and a periodic loop."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

from core.ports.task_queue import Consumer, JobHandler, TaskQueue

log = logging.getLogger("chirp.background")


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
