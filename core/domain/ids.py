"""Time-ordered 64-bit ids: microseconds since 2020 in the high bits, worker and sequence low.

Layout (63 bits, always positive): 51 bits of microseconds since 2020-01-01 UTC (good until
2091), 4 bits of worker number, 8 bits of sequence within one microsecond. Because the time
is in the id, an entity's `created_at` is derived from its id, so paging by id and paging by
time (`created_at__lt`) agree exactly.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
WORKER_BITS = 4
SEQUENCE_BITS = 8
LOW_BITS = WORKER_BITS + SEQUENCE_BITS
MAX_WORKER = (1 << WORKER_BITS) - 1
MAX_SEQUENCE = (1 << SEQUENCE_BITS) - 1
MAX_ID = (1 << 63) - 1


def micros_of(moment: datetime) -> int:
    """Whole microseconds from the id epoch to `moment` (an aware datetime)."""
    delta = moment - EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def compose(micros: int, worker: int, sequence: int) -> int:
    """The id for a microsecond, a worker and a sequence number."""
    return (micros << LOW_BITS) | (worker << SEQUENCE_BITS) | sequence


def advance(last_micros: int, last_sequence: int, now_micros: int) -> tuple[int, int]:
    """The (microsecond, sequence) of the id after one made at (last_micros, last_sequence):
    a new microsecond restarts the sequence; within one it counts up; when it overflows, or
    the clock is behind, the id borrows the next microsecond, so ids strictly increase."""
    if now_micros > last_micros:
        return now_micros, 0
    if last_sequence < MAX_SEQUENCE:
        return last_micros, last_sequence + 1
    return last_micros + 1, 0


def time_of(entity_id: int) -> datetime:
    """The creation time encoded in an id."""
    return EPOCH + timedelta(microseconds=entity_id >> LOW_BITS)


def _clamped(value: int) -> int:
    return min(max(value, 0), MAX_ID)


def first_id_at(moment: datetime) -> int:
    """The smallest id that can be made at `moment`: ids below it are strictly older.
    Times outside what ids can express clamp to the smallest or largest id."""
    return _clamped(compose(micros_of(moment), 0, 0))


def last_id_at(moment: datetime) -> int:
    """The largest id that can be made at `moment`: ids above it are strictly newer."""
    return _clamped(compose(micros_of(moment) + 1, 0, 0) - 1)


def is_valid_id(value: int) -> bool:
    """Whether a number can be an id at all (positive and within 63 bits)."""
    return 0 < value <= MAX_ID
