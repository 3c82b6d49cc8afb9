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
        self._micros, self._sequence = ids.advance(
            self._micros, self._sequence, ids.micros_of(self._clock.now())
        )
        return ids.compose(self._micros, 0, self._sequence)
