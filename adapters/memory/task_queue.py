"""InMemoryTaskQueue: jobs held until a test (or the memory profile) drains them."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from adapters.memory.switch import Switch
from core.domain.feed import Job
from core.ports.task_queue import TaskQueue


class InMemoryTaskQueue(Switch, TaskQueue):
    """A FIFO of pending jobs; `drain(run)` runs them, including jobs enqueued meanwhile.
    With `available = False` enqueue raises Unavailable and nothing is queued."""

    def __init__(self) -> None:
        super().__init__()
        self._pending: deque[Job] = deque()

    def enqueue(self, jobs: Sequence[Job]) -> None:
        self.check()
        self._pending.extend(jobs)

    @property
    def jobs(self) -> list[Job]:
        """The pending jobs, oldest first."""
        return list(self._pending)

    def drain(self, run: Callable[[Job], None]) -> int:
        """Run pending jobs first in, first out until none remain; how many ran."""
        ran = 0
        while self._pending:
            run(self._pending.popleft())
            ran += 1
        return ran
