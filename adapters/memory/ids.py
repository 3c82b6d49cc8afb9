"""SequentialIdGenerator: deterministic time-ordered ids from a (fake) clock."""

from __future__ import annotations

from core.domain import ids
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator


class SequentialIdGenerator(IdGenerator):
    """Ids laid out by `core.domain.ids` from the clock's microsecond, worker 0.

    Within one microsecond the sequence counts up; when it overflows, or when the clock is
    behind the last id made, the id moves on to the next microsecond, so ids strictly
    increase and the same clock moves give the same ids.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._micros = -1
        self._sequence = 0

    def next_id(self) -> int:
        micros = ids.micros_of(self._clock.now())
        if micros > self._micros:
            self._micros, self._sequence = micros, 0
        elif self._sequence < ids.MAX_SEQUENCE:
            self._sequence += 1
        else:
            self._micros, self._sequence = self._micros + 1, 0
        return ids.compose(self._micros, 0, self._sequence)
