"""Smoke test of the real HBase started by `scripts/services up hbase` (Thrift1 gateway).

Checks the happybase features chirp relies on: create/drop table, put/get, reverse scans with
row_start/row_stop, and batches.  Fails (never skips) when the server cannot be reached.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import happybase
import pytest

pytestmark = pytest.mark.integration

HOST = os.environ.get("CHIRP_HBASE_HOST", "127.0.0.1")
PORT = int(os.environ.get("CHIRP_HBASE_THRIFT_PORT", "9090"))


def connect() -> happybase.Connection:
    try:
        conn = happybase.Connection(HOST, PORT, timeout=30_000)
        conn.tables()
        return conn
    except Exception as exc:  # noqa: BLE001 - any failure means the server is unusable
        error = repr(exc)
    pytest.fail(
        f"HBase Thrift server not reachable at {HOST}:{PORT} ({error}); "
        "start it with: scripts/services up hbase",
        pytrace=False,
    )


@contextmanager
def fresh_table() -> Iterator[tuple[happybase.Connection, happybase.Table]]:
    """A uniquely named table with one column family `cf`, dropped afterwards."""
    conn = connect()
    name = f"chirp_smoke_{uuid.uuid4().hex[:12]}"
    conn.create_table(name, {"cf": {"max_versions": 1}})
    try:
        yield conn, conn.table(name)
    finally:
        conn.delete_table(name, disable=True)
        conn.close()


def test_a_stored_row_is_read_back_with_its_cells() -> None:
    with fresh_table() as (_, table):
        table.put(b"user#0001", {b"cf:name": b"ada", b"cf:bio": "héllo".encode()})

        assert table.row(b"user#0001") == {b"cf:name": b"ada", b"cf:bio": "héllo".encode()}
        assert table.row(b"user#0001", columns=[b"cf:name"]) == {b"cf:name": b"ada"}
        assert table.row(b"user#missing") == {}


def test_reverse_scan_returns_newest_row_keys_first() -> None:
    with fresh_table() as (_, table):
        # timeline-style keys: the larger the suffix, the newer the entry
        for i in range(1, 7):
            table.put(f"tl#{i:04d}".encode(), {b"cf:v": str(i).encode()})
        table.put(b"tm#0001", {b"cf:v": b"other prefix"})

        keys = [k for k, _ in table.scan(reverse=True, row_prefix=b"tl#")]
        assert keys == [f"tl#{i:04d}".encode() for i in range(6, 0, -1)]


def test_reverse_scan_starts_at_row_start_inclusive_and_stops_before_row_stop() -> None:
    with fresh_table() as (_, table):
        for i in range(1, 7):
            table.put(f"tl#{i:04d}".encode(), {b"cf:v": str(i).encode()})

        # in a reverse scan row_start is the HIGH key (included), row_stop the LOW key (excluded)
        rows = list(table.scan(reverse=True, row_start=b"tl#0005", row_stop=b"tl#0002"))
        assert [k for k, _ in rows] == [b"tl#0005", b"tl#0004", b"tl#0003"]
        assert rows[0][1] == {b"cf:v": b"5"}

        # paging newest-first: a row_start past the newest key, then resume from the last key
        # seen (row_start is inclusive, so fetch one extra row and drop it)
        first_page = [k for k, _ in table.scan(reverse=True, row_start=b"tl#\xff", limit=2)]
        assert first_page == [b"tl#0006", b"tl#0005"]
        resumed = [k for k, _ in table.scan(reverse=True, row_start=first_page[-1], limit=3)]
        assert resumed[1:] == [b"tl#0004", b"tl#0003"]


def test_batch_put_writes_every_row_and_batch_delete_removes_them() -> None:
    with fresh_table() as (_, table):
        with table.batch(batch_size=10) as batch:
            for i in range(25):
                batch.put(f"b#{i:03d}".encode(), {b"cf:n": str(i).encode()})

        stored = dict(table.scan(row_prefix=b"b#"))
        assert len(stored) == 25
        assert stored[b"b#024"] == {b"cf:n": b"24"}

        with table.batch() as batch:
            for i in range(0, 25, 2):
                batch.delete(f"b#{i:03d}".encode())
        assert len(list(table.scan(row_prefix=b"b#"))) == 12


def test_a_dropped_table_is_no_longer_listed() -> None:
    conn = connect()
    name = f"chirp_smoke_{uuid.uuid4().hex[:12]}"
    try:
        conn.create_table(name, {"cf": {}})
        assert name.encode() in conn.tables()
        conn.delete_table(name, disable=True)
        assert name.encode() not in conn.tables()
    finally:
        if name.encode() in conn.tables():
            conn.delete_table(name, disable=True)
        conn.close()
