"""The Thrift1 calls chirp makes, on pooled happybase connections; driver errors become Unavailable.

Each public method is a fixed number of Thrift round trips, whatever the number of rows:
`scan` three (open, one fetch, close), `rows`, `mutate` (up to MAX_ROWS_PER_CALL rows),
`check_and_put` one. The raw Thrift client is used where happybase's
`Table` would add calls (its scan fetches once more after a short batch; its row delete
asks for the column families first) or offers nothing (`checkAndPut`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any, Protocol, TypeVar

import happybase
from Hbase_thrift import (  # type: ignore[import-not-found]  # happybase loads its IDL as this module
    BatchMutation,
    Mutation,
    TScan,
)
from thriftpy2.thrift import TException
from thriftpy2.transport import TTransportException

from adapters.hbase.model import FAMILY, KeyRange, TableSpec
from core.domain.errors import Unavailable

R = TypeVar("R")
Cells = dict[bytes, bytes]

# Errors that mean "the gateway cannot serve us": Thrift (incl. HBase's IOError), sockets,
# and a pool with no free connection within the wait.
DOWN_ERRORS: tuple[type[BaseException], ...] = (
    TException,
    OSError,
    happybase.NoConnectionsAvailable,
)
# Socket-level failures: the pool has replaced the connection, so one retry is worth it
# (the gateway drops idle sockets after hbase.thrift.server.socket.read.timeout).
STALE_ERRORS: tuple[type[BaseException], ...] = (TTransportException, OSError)
# A fan-out batch of 1,000 readers is 2,000 rows: one call. 10,000 rows are ~0.6 MB.
MAX_ROWS_PER_CALL = 10_000
# Rows per fetch when a scan has no limit (remove_author).
SCAN_CHUNK = 1000
KEY_ONLY = b"KeyOnlyFilter()"


@contextmanager
def guarded(what: str) -> Iterator[None]:
    """Re-raise driver and connection failures as the domain's Unavailable."""
    try:
        yield
    except DOWN_ERRORS as exc:
        raise Unavailable(f"HBase unavailable ({what}: {exc.__class__.__name__})") from exc


class Pool(Protocol):
    """What the stores need of a connection pool (happybase's, or `admin.LazyPool`)."""

    def connection(self, timeout: float | None = None) -> AbstractContextManager[Any]: ...


class Gateway:
    """chirp's tables under one prefix, reached through a happybase ConnectionPool.

    Idempotent calls (reads, puts, deletes) are tried once more on a socket failure;
    `check_and_put` never is, since the first try may have been applied.
    """

    def __init__(self, pool: Pool, prefix: str, wait_seconds: float) -> None:
        self._pool = pool
        self._prefix = prefix
        self._wait = wait_seconds

    def name(self, spec: TableSpec) -> bytes:
        return (self._prefix + spec.name).encode()

    def scan(
        self,
        spec: TableSpec,
        key_range: KeyRange,
        count: int | None,
        *,
        keys_only: bool = False,
    ) -> list[tuple[bytes, Cells]]:
        """Rows of one range in scan order: at most `count` in one fetch, or all of them."""
        scan = TScan(
            startRow=key_range.start,
            stopRow=key_range.stop,
            caching=min(count, SCAN_CHUNK) if count else SCAN_CHUNK,
            reversed=key_range.reverse,
            filterString=KEY_ONLY if keys_only else None,
        )
        table = self.name(spec)

        def run(client: Any) -> list[tuple[bytes, Cells]]:
            scanner = client.scannerOpenWithScan(table, scan, {})
            try:
                return _fetch(client, scanner, count)
            finally:
                client.scannerClose(scanner)

        return self._call("scan", run)

    def rows(
        self, spec: TableSpec, keys: Sequence[bytes], columns: Sequence[bytes]
    ) -> dict[bytes, Cells]:
        """The rows of `keys` that exist, by key: one multi-get."""
        if not keys:
            return {}
        table = self.name(spec)
        found = self._call(
            "get", lambda c: c.getRowsWithColumns(table, list(keys), list(columns), {})
        )
        return {r.row: _cells(r.columns) for r in found}

    def mutate(
        self,
        spec: TableSpec,
        puts: Mapping[bytes, Mapping[bytes, bytes]] | None = None,
        deletes: Iterable[bytes] = (),
    ) -> None:
        """Put whole rows and delete whole rows, MAX_ROWS_PER_CALL per call."""
        batches = [
            BatchMutation(row=key, mutations=[_put(c, v) for c, v in cells.items()])
            for key, cells in (puts or {}).items()
        ]
        batches += [BatchMutation(row=key, mutations=[_delete_row()]) for key in deletes]
        table = self.name(spec)
        for start in range(0, len(batches), MAX_ROWS_PER_CALL):
            chunk = batches[start : start + MAX_ROWS_PER_CALL]
            self._call("mutate", _mutate_rows(table, chunk))

    def check_and_put(
        self, spec: TableSpec, key: bytes, column: bytes, expected: bytes | None, value: bytes
    ) -> bool:
        """Put one cell only if it holds `expected` now (None: if it is missing); atomic on
        the region server (HBase's checkAndMutate, which happybase's Table does not wrap)."""
        table = self.name(spec)
        return bool(
            self._call(
                "checkAndPut",
                lambda c: c.checkAndPut(table, key, column, expected, _put(column, value), {}),
                idempotent=False,
            )
        )

    def _call(self, what: str, run: Callable[[Any], R], *, idempotent: bool = True) -> R:
        attempts = 2 if idempotent else 1
        for attempt in range(1, attempts + 1):
            try:
                with self._pool.connection(timeout=self._wait) as connection:
                    return run(connection.client)
            except STALE_ERRORS as exc:
                if attempt == attempts:
                    raise Unavailable(f"HBase unavailable ({what}: {exc!r})") from exc
            except DOWN_ERRORS as exc:
                raise Unavailable(f"HBase unavailable ({what}: {exc!r})") from exc
        raise AssertionError("unreachable")


def _fetch(client: Any, scanner: int, count: int | None) -> list[tuple[bytes, Cells]]:
    if count is not None:
        # One fetch: the gateway's ResultScanner.next(n) fills n rows across regions.
        return [(r.row, _cells(r.columns)) for r in client.scannerGetList(scanner, count)]
    rows: list[tuple[bytes, Cells]] = []
    while batch := client.scannerGetList(scanner, SCAN_CHUNK):
        rows.extend((r.row, _cells(r.columns)) for r in batch)
        if len(batch) < SCAN_CHUNK:
            break
    return rows


def _mutate_rows(table: bytes, chunk: list[Any]) -> Callable[[Any], None]:
    return lambda client: client.mutateRows(table, chunk, {})


def _cells(columns: Mapping[bytes, Any]) -> Cells:
    return {name: cell.value for name, cell in columns.items()}


def _put(column: bytes, value: bytes) -> Any:
    return Mutation(isDelete=False, column=column, value=value, writeToWAL=True)


def _delete_row() -> Any:
    # The bare family name deletes every cell of the family: the whole row, in one mutation.
    return Mutation(isDelete=True, column=FAMILY, writeToWAL=True)
