"""The HBase connection pool and chirp's tables: made idempotently, pre-split by the operator.

Thrift1 (the only protocol happybase speaks) creates a table as ONE region: its
`createTable` takes no split keys, and it has no call that splits a region. So
`create_tables` makes whatever is missing with one region and says so, and
`presplit_shell_commands` gives the operator the HBase shell commands that create the same
tables already split on salt values (run them before the first start; `create_tables` then
finds the tables and leaves them alone). The contract tests create their tables split the
same way, plus split points inside one page (tests/contract/hbase_backends.py).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

import happybase
from Hbase_thrift import (  # type: ignore[import-not-found]  # happybase loads its IDL as this module
    AlreadyExists,
    ColumnDescriptor,
)

from adapters.hbase.gateway import Pool, guarded
from adapters.hbase.model import FAMILY, TableSpec
from adapters.hbase.schema import TABLES


class LazyPool:
    """A happybase ConnectionPool made on first use. happybase opens a connection as soon
    as a pool is made; deferring that lets a process start (and serve every user outside
    the HBase gates) while HBase is down; each call then raises Unavailable instead."""

    def __init__(self, size: int, host: str, port: int, timeout_ms: int) -> None:
        self._options = {"size": size, "host": host, "port": port, "timeout": timeout_ms}
        self._pool: happybase.ConnectionPool | None = None
        self._lock = threading.Lock()

    def connection(self, timeout: float | None = None) -> AbstractContextManager[Any]:
        with self._lock:
            if self._pool is None:
                with guarded("connect"):
                    self._pool = happybase.ConnectionPool(**self._options)
        return self._pool.connection(timeout=timeout)  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close every idle connection (happybase's pool has no close of its own)."""
        if self._pool is not None:
            for connection in list(self._pool._queue.queue):
                connection.close()


def hbase_pool_resource(host: str, port: int, size: int, timeout_ms: int) -> Iterator[LazyPool]:
    """A pool of `size` Thrift connections with a `timeout_ms` socket timeout, opened on
    first use and closed at the end (a dependency-injector Resource)."""
    pool = LazyPool(size, host, port, timeout_ms)
    try:
        yield pool
    finally:
        pool.close()


def family_descriptor() -> object:
    """One family, one version; block cache and a row bloom filter on. (Thrift1's own defaults
    would turn the block cache OFF, which every feed page would pay for.)"""
    return ColumnDescriptor(
        name=FAMILY + b":",
        maxVersions=1,
        blockCacheEnabled=True,
        bloomFilterType="ROW",
    )


def create_tables(pool: Pool, prefix: str) -> str:
    """Create the tables under `prefix` that do not exist yet (one region each, see the module
    docstring); safe to run from several processes at once. What was done, in one line."""
    created = []
    with guarded("create tables"), pool.connection() as connection:
        existing = set(connection.client.getTableNames())
        for spec in TABLES:
            name = (prefix + spec.name).encode()
            if name in existing:
                continue
            try:
                connection.client.createTable(name, [family_descriptor()])
            except AlreadyExists:
                continue  # another process made it between our listing and our create
            created.append(name.decode())
    names = ", ".join(prefix + spec.name for spec in TABLES)
    if not created:
        return f"HBase tables {names} ready"
    return (
        f"HBase tables {', '.join(created)} created with one region each "
        "(Thrift1 cannot pre-split: see presplit_shell_commands)"
    )


def ping_hbase(pool: Pool) -> None:
    """Return when the gateway lists its tables (one round trip); raise Unavailable otherwise."""
    with guarded("ping"), pool.connection() as connection:
        connection.client.getTableNames()


def presplit_shell_commands(prefix: str, tables: tuple[TableSpec, ...] = TABLES) -> str:
    """HBase shell commands that create the tables pre-split on salt values."""
    lines = []
    for spec in tables:
        splits = ", ".join(f'"{_ruby_bytes(key)}"' for key in spec.split_keys())
        lines.append(
            f"create '{prefix}{spec.name}', {{NAME => '{FAMILY.decode()}', VERSIONS => 1, "
            f"BLOOMFILTER => 'ROW'}}, SPLITS => [{splits}]"
        )
    return "\n".join(lines) + "\n"


def _ruby_bytes(key: bytes) -> str:
    return "".join(f"\\x{b:02x}" for b in key)
