"""Fixed-width byte codecs for row keys and cells, whose byte order is the order of the values."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import UTC, datetime, timedelta
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_INT64, MAX_INT64 = -(1 << 63), (1 << 63) - 1
_SIGN = 1 << 63
_MASK = (1 << 64) - 1
_UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Codec(ABC, Generic[T]):
    """Turns a value into exactly `width` bytes and back."""

    width: int

    @abstractmethod
    def encode(self, value: T) -> bytes:
        """The value's bytes."""

    @abstractmethod
    def decode(self, raw: bytes) -> T:
        """The value back from its bytes."""


class Int64(Codec[int]):
    """A signed 64-bit integer in 8 big-endian bytes with the sign bit flipped.

    Plain two's complement would sort -1 after 2**63 - 1; flipping the sign bit maps the
    signed range onto 0 .. 2**64 - 1 in order, so byte order equals numeric order for every
    value. `descending` also flips every other bit, so byte order is the reverse numeric order
    (an "inverted id": a forward scan then meets the newest id first).
    """

    width = 8

    def __init__(self, *, descending: bool = False) -> None:
        self.descending = descending

    def encode(self, value: int) -> bytes:
        if not MIN_INT64 <= value <= MAX_INT64:
            raise ValueError(f"{value} does not fit in a signed 64-bit integer")
        unsigned = (value & _MASK) ^ _SIGN
        if self.descending:
            unsigned ^= _MASK
        return unsigned.to_bytes(8, "big")

    def decode(self, raw: bytes) -> int:
        unsigned = int.from_bytes(raw, "big")
        if self.descending:
            unsigned ^= _MASK
        unsigned ^= _SIGN
        return unsigned - (1 << 64) if unsigned & _SIGN else unsigned


class Micros(Codec[datetime]):
    """An aware datetime as whole microseconds since the Unix epoch (an ascending Int64), read
    back in UTC; microseconds survive the round trip, like the SQL stores' datetimes."""

    width = 8
    _int = Int64()

    def encode(self, value: datetime) -> bytes:
        if value.tzinfo is None:
            raise ValueError("only aware datetimes are stored")
        delta = value - _UNIX_EPOCH
        micros = (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
        return self._int.encode(micros)

    def decode(self, raw: bytes) -> datetime:
        return _UNIX_EPOCH + timedelta(microseconds=self._int.decode(raw))


class Marker(Codec[None]):
    """A cell that only says the row exists (HBase keeps no row without a cell). One byte,
    never empty: `checkAndPut` reads an empty value as a missing one."""

    width = 1

    def encode(self, value: None) -> bytes:
        return b"\x01"

    def decode(self, raw: bytes) -> None:
        return None


INT64 = Int64()
NEWEST_FIRST = Int64(descending=True)
MICROS = Micros()
MARKER = Marker()


def decrement(key: bytes) -> bytes | None:
    """The fixed-width key just below `key` (same length), or None below all zeros."""
    number = int.from_bytes(key, "big")
    return None if number == 0 else (number - 1).to_bytes(len(key), "big")


def increment_prefix(prefix: bytes) -> bytes | None:
    """The smallest key above every key that starts with `prefix`; None past the table's end."""
    stripped = prefix.rstrip(b"\xff")
    if not stripped:
        return None
    return stripped[:-1] + bytes([stripped[-1] + 1])
