"""SnowflakeIdGenerator: time-ordered 64-bit ids from the real clock, safe across threads."""

from __future__ import annotations

import threading

from core.domain import ids
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator


class SnowflakeIdGenerator(IdGenerator):
    """Ids laid out by `core.domain.ids`: the clock's microsecond, this worker, a sequence.

    Within one microsecond the sequence counts up; when it overflows, or the clock is behind
    the last id, the id borrows the next microsecond instead of waiting, so ids strictly
    increase. Distinct workers (0-15) never collide.
    """

    def __init__(self, clock: Clock, worker: int = 0) -> None:
        if not 0 <= worker <= ids.MAX_WORKER:
            raise ValueError(f"worker must be between 0 and {ids.MAX_WORKER}")
        self._clock = clock
        self._worker = worker
        self._lock = threading.Lock()
        self._micros = -1
        self._sequence = 0

    def next_id(self) -> int:
        with self._lock:
            self._micros, self._sequence = ids.advance(
                self._micros, self._sequence, ids.micros_of(self._clock.now())
            )
            return ids.compose(self._micros, self._worker, self._sequence)
