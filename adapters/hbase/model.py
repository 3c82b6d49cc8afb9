"""The row-key model layer: row kinds with fixed-width keys, typed columns, tables and ranges.

A table holds several kinds of row in one column family. Every key is
`salt(owner) | owner | kind tag | fields...`: the owner is the user whose rows a read wants,
so all rows of one user (every kind) are contiguous, and each kind of one user is one prefix.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from adapters.hbase.codecs import (
    INT64,
    MAX_INT64,
    MIN_INT64,
    Codec,
    Int64,
    decrement,
    increment_prefix,
)
from core.domain.paging import Window

T = TypeVar("T")

FAMILY = b"d"
_GOLDEN = 0x9E3779B97F4A7C15  # 2**64 / golden ratio: a multiplicative hash that mixes all bits


def salt(owner: int) -> bytes:
    """One byte spreading owners over the key space: the top byte of a multiplicative hash.

    Stable forever (changing it moves every row); 256 values, so pre-split points at salt
    values split the users evenly whatever the number of regions.
    """
    mixed = ((owner & ((1 << 64) - 1)) * _GOLDEN) & ((1 << 64) - 1)
    return bytes([mixed >> 56])


@dataclass(frozen=True, slots=True)
class Column(Generic[T]):
    """A typed cell of the family: `name` in code, `qualifier` (short) on disk."""

    name: str
    qualifier: bytes
    codec: Codec[T]

    @property
    def key(self) -> bytes:
        """The `family:qualifier` name Thrift wants."""
        return FAMILY + b":" + self.qualifier


@dataclass(frozen=True, slots=True)
class RowKind:
    """One kind of row: the owner field, the key fields after the tag, the columns."""

    name: str
    tag: int
    owner: str
    fields: tuple[tuple[str, Int64], ...] = ()
    columns: tuple[Column[Any], ...] = ()
    width: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "width", 1 + 8 + 1 + sum(c.width for _, c in self.fields))

    def key(self, **values: int) -> bytes:
        """The whole key; every field must be given."""
        if len(values) != 1 + len(self.fields):
            raise TypeError(f"{self.name} key needs {self.owner} and {self._names()}")
        return self.prefix(**values)

    def prefix(self, **values: int) -> bytes:
        """The key's start: the owner, then any leading run of the fields."""
        owner = values.pop(self.owner)
        parts = [salt(owner), INT64.encode(owner), bytes([self.tag])]
        for name, codec in self.fields:
            if name not in values:
                break
            parts.append(codec.encode(values.pop(name)))
        if values:
            raise TypeError(f"{self.name} prefix: unknown or out-of-order fields {list(values)}")
        return b"".join(parts)

    def read_key(self, key: bytes) -> dict[str, int]:
        """The owner and the fields of a whole key."""
        found = {self.owner: INT64.decode(key[1:9])}
        offset = 10
        for name, codec in self.fields:
            found[name] = codec.decode(key[offset : offset + codec.width])
            offset += codec.width
        return found

    def cells(self, **values: Any) -> dict[bytes, bytes]:
        """The cells to put for the given column values (every column of the kind)."""
        return {c.key: c.codec.encode(values[c.name]) for c in self.columns}

    def read_cells(self, cells: Mapping[bytes, bytes]) -> dict[str, Any]:
        """The column values of a fetched row (a column it lacks is left out)."""
        return {c.name: c.codec.decode(cells[c.key]) for c in self.columns if c.key in cells}

    def _names(self) -> list[str]:
        return [name for name, _ in self.fields]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """A table: its kinds of row and how many regions it is meant to be split into."""

    name: str
    kinds: tuple[RowKind, ...]
    regions: int = 16

    def split_keys(self) -> list[bytes]:
        """Region boundaries on salt values, so each region holds an even share of users."""
        return [bytes([256 * i // self.regions]) for i in range(1, self.regions)]


@dataclass(frozen=True, slots=True)
class KeyRange:
    """One scan: `start` inclusive, `stop` exclusive (None: the table's end); a reverse scan
    starts at the high key and stops before the low one, as HBase's reverse scans do."""

    start: bytes
    stop: bytes | None
    reverse: bool = False


def window_range(kind: RowKind, window: Window, **owner: int) -> KeyRange | None:
    """The scan for the ids of `window` in the kind's last key field, in the window's order;
    None when the window holds no id at all."""
    _, codec = kind.fields[-1]
    low = MIN_INT64 if window.lower is None else window.lower + 1
    high = MAX_INT64 if window.upper is None else window.upper - 1
    low, high = max(low, MIN_INT64), min(high, MAX_INT64)
    if low > high:
        return None
    prefix = kind.prefix(**owner)
    first, last = codec.encode(low), codec.encode(high)
    if codec.descending:
        first, last = last, first  # the highest id has the lowest key
    forward = window.newest_first == codec.descending
    if forward:
        return KeyRange(prefix + first, prefix + last + b"\x00")
    below = decrement(first)
    return KeyRange(prefix + last, prefix if below is None else prefix + below, reverse=True)


def prefix_range(kind: RowKind, **leading: int) -> KeyRange:
    """A forward scan of every row under the prefix of the given leading fields."""
    prefix = kind.prefix(**leading)
    return KeyRange(prefix, increment_prefix(prefix))


def after_range(kind: RowKind, after: int | None, **leading: int) -> KeyRange | None:
    """A forward scan of the rows whose next key field (ascending) is above `after`."""
    prefix = kind.prefix(**leading)
    end = increment_prefix(prefix)
    if after is None:
        return KeyRange(prefix, end)
    if after >= MAX_INT64:
        return None
    return KeyRange(prefix + INT64.encode(max(after + 1, MIN_INT64)), end)
