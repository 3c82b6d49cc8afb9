"""Fixtures that run every contract case against the memory fake and each real adapter.

Each parametrised fixture builds only its own backend: a real one is imported inside the
fixture from `sql_backends` / `cache_backends` / `blob_backends` (owned by the adapters'
authors), which fail loudly, naming the server, when it is not up.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from adapters.memory import (
    FakeClock,
    InMemoryBlobStore,
    InMemoryCounters,
    InMemoryDatabase,
    InMemoryGateStore,
    InMemoryListCache,
    InMemoryObjectCache,
    InMemoryRateLimitStore,
    InMemoryUnitOfWork,
    SequentialIdGenerator,
)
from core.ports.blob_store import BlobStore
from core.ports.counters import Counters
from core.ports.gate_store import GateStore
from core.ports.list_cache import ListCache
from core.ports.object_cache import ObjectCache
from core.ports.rate_limit_store import RateLimitStore
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker

if TYPE_CHECKING:
    from tests.contract.hbase_backends import SessionTables

UOW_BACKENDS = ["memory", "sqlite", pytest.param("mysql", marks=pytest.mark.integration)]
# The follow and feed stores have one more real adapter: HBase (`graph_uow`).
GRAPH_BACKENDS = [*UOW_BACKENDS, pytest.param("hbase", marks=pytest.mark.integration)]
# "memory" is the one in-process implementation, which the embedded profile serves too.
OBJECT_CACHE_BACKENDS = ["memory", pytest.param("memcached", marks=pytest.mark.integration)]
REDIS_BACKENDS = ["memory", pytest.param("redis", marks=pytest.mark.integration)]
# "file" is the embedded profile's gate store, shared with the CLI.
GATE_BACKENDS = ["memory", "file", pytest.param("redis", marks=pytest.mark.integration)]
BLOB_BACKENDS = ["memory", "local", pytest.param("s3", marks=pytest.mark.integration)]

# Backends that keep time by the server's wall clock, not by the fake clock (see `pass_time`).
WALL_CLOCK_BACKENDS = frozenset({"redis", "memcached"})
# Redis and Memcached count ttls in whole seconds; waiting this much longer is safe.
REAL_TTL_MARGIN_SECONDS = 1.1


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def ids(clock: FakeClock) -> SequentialIdGenerator:
    return SequentialIdGenerator(clock)


@pytest.fixture
def make(clock: FakeClock, ids: SequentialIdGenerator) -> Maker:
    return Maker(clock, ids)


@pytest.fixture(params=UOW_BACKENDS)
def uow(request: pytest.FixtureRequest, tmp_path: Path) -> UnitOfWork:
    """A fresh, empty unit of work, ready for `with uow:`."""
    return _unit_of_work(request.param, tmp_path)


def _unit_of_work(backend: str, tmp_path: Path) -> UnitOfWork:
    if backend == "memory":
        return InMemoryUnitOfWork(InMemoryDatabase())
    if backend == "sqlite":
        from tests.contract.sql_backends import make_sqlite_uow

        return make_sqlite_uow(tmp_path)
    from tests.contract.sql_backends import make_mysql_uow

    return make_mysql_uow()


@pytest.fixture(params=GRAPH_BACKENDS)
def graph_uow(request: pytest.FixtureRequest, tmp_path: Path) -> UnitOfWork:
    """Like `uow`, and also "hbase": the in-memory unit of work with the HBase follow and
    feed stores in place of its own, on the session's emptied tables."""
    if request.param != "hbase":
        return _unit_of_work(request.param, tmp_path)
    tables = request.getfixturevalue("hbase_tables")
    tables.empty()
    return tables.unit_of_work()


@pytest.fixture(scope="session")
def hbase_tables() -> Iterator[SessionTables]:
    """This session's pre-split HBase tables (tests/contract/hbase_backends.py)."""
    from tests.contract.hbase_backends import session_tables

    with session_tables() as tables:
        yield tables


@pytest.fixture(params=OBJECT_CACHE_BACKENDS)
def object_cache(request: pytest.FixtureRequest, clock: FakeClock) -> ObjectCache:
    if request.param == "memory":
        return InMemoryObjectCache(clock)
    from tests.contract import cache_backends

    return cache_backends.make_memcached_object_cache()


@pytest.fixture(params=REDIS_BACKENDS)
def list_cache(request: pytest.FixtureRequest, clock: FakeClock) -> ListCache:
    if request.param == "memory":
        return InMemoryListCache(clock)
    from tests.contract import cache_backends

    return cache_backends.make_redis_list_cache()


@pytest.fixture(params=REDIS_BACKENDS)
def counters(request: pytest.FixtureRequest, clock: FakeClock) -> Counters:
    if request.param == "memory":
        return InMemoryCounters(clock)
    from tests.contract import cache_backends

    return cache_backends.make_redis_counters()


@pytest.fixture(params=REDIS_BACKENDS)
def rate_limit_store(request: pytest.FixtureRequest, clock: FakeClock) -> RateLimitStore:
    if request.param == "memory":
        return InMemoryRateLimitStore(clock)
    from tests.contract import cache_backends

    return cache_backends.make_redis_rate_limit_store()


@pytest.fixture(params=GATE_BACKENDS)
def gate_store(request: pytest.FixtureRequest, tmp_path: Path) -> GateStore:
    if request.param == "memory":
        return InMemoryGateStore()
    from tests.contract import cache_backends

    if request.param == "file":
        return cache_backends.make_file_gate_store(tmp_path / "gates.json")
    return cache_backends.make_redis_gate_store()


@pytest.fixture(params=BLOB_BACKENDS)
def blob_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[BlobStore]:
    """An empty store; blobs are as old as the wall clock says (the memory store's clock
    stands at the moment it was made)."""
    if request.param == "memory":
        yield InMemoryBlobStore(
            base_url="https://media.example.com", clock=FakeClock(datetime.now(UTC))
        )
    elif request.param == "local":
        from adapters.s3.local import LocalFolderBlobStore

        yield LocalFolderBlobStore(tmp_path / "blobs", base_url="/media/")
    elif request.param == "s3":
        from tests.contract.blob_backends import fresh_s3_store

        with fresh_s3_store() as store:
            yield store
    else:
        raise LookupError(f"no blob store backend named {request.param!r}")


@pytest.fixture
def pass_time(request: pytest.FixtureRequest, clock: FakeClock) -> Callable[[float], None]:
    """Let `seconds` pass for the backend under test: the fake clock moves, and when a real
    server is in play (it keeps its own time) the test really waits, a little longer."""
    callspec = getattr(request.node, "callspec", None)
    params = callspec.params if callspec else {}
    real = any(value in WALL_CLOCK_BACKENDS for value in params.values())

    def let_pass(seconds: float) -> None:
        clock.advance(seconds=seconds)
        if real:
            time.sleep(seconds + REAL_TTL_MARGIN_SECONDS)

    return let_pass
