"""The HBase follow and feed stores on the real server, for the contract tests.

One pair of tables per test session (a unique prefix, so concurrent sessions never meet),
emptied before each test and dropped at the end: emptying costs milliseconds where a
fresh pair of tables costs about two seconds (create and drop are master procedures).
Rule: after emptying, wait for the server's clock to reach the next millisecond, or a put
of a reused key could share the delete marker's millisecond and be hidden by it.

Thrift1 cannot create a table with split keys, so the session tables are created through
the HBase Java client (a one-file Java program run on the jars `scripts/services`
fetched): split on salt values as in production, plus split points inside the pages of
the region-boundary cases (`builders.BOUNDARY_*`).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import happybase

from adapters.hbase import HBaseFeedStore, HBaseFollowStore, hbase_pool_resource
from adapters.hbase.model import FAMILY
from adapters.hbase.schema import BY_AUTHOR, ENTRY, FAN, FEEDS, FOLLOWER, FOLLOWING, FOLLOWS
from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from core.domain.errors import Unavailable
from core.ports.unit_of_work import UnitOfWork
from scripts.backing.hbase import runtime
from scripts.backing.settings import Settings as BackingSettings
from settings import Settings
from tests.contract.builders import (
    BOUNDARY_AUTHOR_ID,
    BOUNDARY_FAN_IDS,
    BOUNDARY_IDS,
    BOUNDARY_SPLITS,
    BOUNDARY_USER_ID,
)

HOW_TO_START = "start it with `scripts/services up hbase`"
# Tables of contract-test sessions: chirp_ct_<pid>_<random>_<table>.
SESSION_TABLES = re.compile(rb"^chirp_ct_(\d+)_[0-9a-f]+_")
PRESPLIT_JAVA = """
import org.apache.hadoop.hbase.HBaseConfiguration;
import org.apache.hadoop.hbase.TableName;
import org.apache.hadoop.hbase.client.*;
import org.apache.hadoop.hbase.regionserver.BloomType;
import org.apache.hadoop.hbase.util.Bytes;

/** Arguments: the family, then name=hexkey,hexkey,... for each table to create split. */
public class CreateSplitTables {
  public static void main(String[] args) throws Exception {
    try (Connection c = ConnectionFactory.createConnection(HBaseConfiguration.create());
         Admin admin = c.getAdmin()) {
      for (String arg : java.util.Arrays.copyOfRange(args, 1, args.length)) {
        String[] parts = arg.split("=", 2);
        String[] hex = parts[1].split(",");
        byte[][] splits = new byte[hex.length][];
        for (int i = 0; i < hex.length; i++) splits[i] = Bytes.fromHex(hex[i]);
        admin.createTable(TableDescriptorBuilder.newBuilder(TableName.valueOf(parts[0]))
            .setColumnFamily(ColumnFamilyDescriptorBuilder.newBuilder(Bytes.toBytes(args[0]))
                .setMaxVersions(1).setBloomFilterType(BloomType.ROW).build())
            .build(), splits);
      }
    }
  }
}
"""


class ServerUnreachable(RuntimeError):
    """The HBase contract tests cannot run: they fail loudly, naming the server."""


def address() -> tuple[str, int]:
    """CHIRP_HBASE_HOST and the port: CHIRP_HBASE_THRIFT_PORT (what `scripts/services` moves),
    else CHIRP_HBASE_PORT, else 9090."""
    settings = Settings.from_env()
    port = os.environ.get("CHIRP_HBASE_THRIFT_PORT")
    return settings.hbase_host, int(port) if port else settings.hbase_port


class SessionTables:
    """The session's pre-split tables on one pool: stores and units of work on them."""

    def __init__(self, pool: happybase.ConnectionPool, prefix: str) -> None:
        self.pool = pool
        self.prefix = prefix

    def empty(self) -> None:
        """Delete every row the previous test left (then let the millisecond pass)."""
        deleted = False
        with self.pool.connection() as connection:
            for spec in (FOLLOWS, FEEDS):
                table = connection.table(self.prefix + spec.name)
                keys = [key for key, _ in table.scan(filter=b"KeyOnlyFilter()")]
                with table.batch() as batch:
                    for key in keys:
                        batch.delete(key, columns=[FAMILY])
                deleted = deleted or bool(keys)
        if deleted:
            time.sleep(0.002)  # see the module's rule: a later put must not share the marker's ms

    def follow_store(self, kind: type[HBaseFollowStore] = HBaseFollowStore) -> HBaseFollowStore:
        return kind(self.pool, self.prefix)

    def feed_store(self) -> HBaseFeedStore:
        return HBaseFeedStore(self.pool, self.prefix)

    def unit_of_work(self) -> UnitOfWork:
        """An in-memory unit of work whose follows and feeds are the HBase stores."""
        uow = InMemoryUnitOfWork(InMemoryDatabase())
        uow.follows = self.follow_store()
        uow.feeds = self.feed_store()
        return uow

    def regions(self, table: str) -> list[bytes]:
        """The start keys of a table's regions."""
        with self.pool.connection() as connection:
            return [r["start_key"] for r in connection.table(self.prefix + table).regions()]


@contextmanager
def session_tables() -> Iterator[SessionTables]:
    """Fresh pre-split tables for this session, dropped when it ends."""
    host, port = address()
    resource = hbase_pool_resource(host, port, size=4, timeout_ms=30_000)
    try:
        pool = next(resource)
        with pool.connection() as connection:
            _drop_tables_of_dead_sessions(connection)
    except Unavailable as exc:
        raise ServerUnreachable(f"HBase Thrift at {host}:{port}: {exc}; {HOW_TO_START}") from exc
    prefix = f"chirp_ct_{os.getpid()}_{uuid.uuid4().hex[:6]}_"
    try:
        create_split_tables(prefix)
        tables = SessionTables(pool, prefix)
        for name, keys in split_keys().items():
            if tables.regions(name) != [b"", *keys]:  # else the boundary cases prove nothing
                raise ServerUnreachable(f"{prefix}{name} is not split at the keys asked for")
        yield tables
    finally:
        with pool.connection() as connection:
            for spec in (FOLLOWS, FEEDS):
                with suppress(Exception):
                    connection.delete_table(prefix + spec.name, disable=True)
        with suppress(StopIteration):
            next(resource)


def split_keys() -> dict[str, list[bytes]]:
    """Production's salt splits, plus splits inside the region-boundary cases' pages."""
    user, author = BOUNDARY_USER_ID, BOUNDARY_AUTHOR_ID
    inner = [BOUNDARY_IDS[k] for k in BOUNDARY_SPLITS]
    fans = [BOUNDARY_FAN_IDS[k] for k in BOUNDARY_SPLITS]
    follows = [FOLLOWER.key(followee_id=user, follow_id=i) for i in inner]
    follows += [FOLLOWING.key(follower_id=user, follow_id=i) for i in inner]
    follows += [FAN.prefix(followee_id=user, follower_id=f) for f in fans]
    feeds = [ENTRY.key(reader_id=user, tweet_id=i) for i in inner]
    feeds += [BY_AUTHOR.key(reader_id=user, author_id=author, tweet_id=i) for i in inner]
    return {
        FOLLOWS.name: sorted(FOLLOWS.split_keys() + follows),
        FEEDS.name: sorted(FEEDS.split_keys() + feeds),
    }


def create_split_tables(prefix: str) -> None:
    """Create the tables under `prefix` split at `split_keys()`, with the HBase Java client."""
    backing = BackingSettings.from_env()
    lib = backing.cache_dir / f"hbase-{runtime.pom_version()}" / "lib"
    conf = backing.server_dir("hbase") / "conf"
    if not (any(lib.glob("hbase-client-*.jar")) and (conf / "hbase-site.xml").exists()):
        raise ServerUnreachable(
            f"the HBase jars ({lib}) or config ({conf}) are missing: the split test tables "
            f"are made with the HBase Java client; {HOW_TO_START}"
        )
    tables = [
        f"{prefix}{name}={','.join(k.hex() for k in keys)}" for name, keys in split_keys().items()
    ]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "CreateSplitTables.java"
        source.write_text(PRESPLIT_JAVA)
        java = runtime.java_command(backing.java_home, "256m", "chirp-test-split", conf, lib)
        done = subprocess.run(
            [*java, str(source), FAMILY.decode(), *tables],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
    if done.returncode != 0:
        raise ServerUnreachable(f"creating the split test tables failed:\n{done.stderr[-3000:]}")


def _drop_tables_of_dead_sessions(connection: happybase.Connection) -> None:
    for name in connection.tables():
        found = SESSION_TABLES.match(name)
        if found and not _alive(int(found.group(1))):
            with suppress(Exception):
                connection.delete_table(name, disable=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def dropping_gateway() -> Iterator[int]:
    """A port whose server accepts every connection and closes it at once (a gateway that
    went away mid-call); yields the port."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.1)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            with suppress(OSError):
                connection, _ = server.accept()
                connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield server.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        server.close()
