"""A peer process for the stamped object cache's tests: its own cache on a shared stamp file,
driven over a pipe, that can pause inside its next stamp bump (holding the file lock)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Mapping
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from adapters.cache.stamped_object_cache import SharedStampObjectCache
from adapters.memory.clock import FakeClock

WAIT = 10.0  # how long an answer may take; only a failing test waits this long


def serve(conn: Connection, path: str) -> None:
    """The peer's loop until ("stop",): ("get", keys), ("set", items), ("delete", keys), and
    ("pause",): pause inside the next bump, after its reads, saying "paused" and waiting for
    ("go",)."""
    cache = SharedStampObjectCache(path, FakeClock())
    while True:
        command, *args = conn.recv()
        if command == "stop":
            return
        if command == "pause":
            cache.table.inside_bump = lambda: _pause(conn)
            conn.send("ready")
        elif command == "get":
            conn.send(cache.get_many(args[0]))
        elif command == "set":
            cache.set_many(args[0], 600)
            conn.send("done")
        elif command == "delete":
            cache.delete_many(args[0])
            conn.send("done")


def _pause(conn: Connection) -> None:
    conn.send("paused")
    if conn.recv() != ("go",):
        raise SystemExit(0)  # the test ended (failed) with this bump paused


class Peer:
    """The test's handle on one peer process (spawned: nothing of pytest's state forked)."""

    def __init__(self, path: Path) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, theirs = context.Pipe()
        self.process = context.Process(target=serve, args=(theirs, str(path)), daemon=True)
        self.process.start()
        theirs.close()

    @property
    def pid(self) -> int:
        assert self.process.pid is not None
        return self.process.pid

    def call(self, *command: Any) -> Any:
        self.send(*command)
        return self.answer()

    def send(self, *command: Any) -> None:
        self._conn.send(command)

    def answer(self) -> Any:
        if not self._conn.poll(WAIT):
            raise AssertionError(f"peer {self.pid} did not answer within {WAIT} s")
        return self._conn.recv()

    def get(self, keys: list[str]) -> Mapping[str, object]:
        return self.call("get", keys)  # type: ignore[no-any-return]

    def stop(self) -> None:
        if self.process.is_alive():
            self.send("stop")
            self.process.join(WAIT)
        if self.process.is_alive():  # a failed test may leave it stuck: end it
            self.process.kill()
            self.process.join(WAIT)
        self._conn.close()


def lock_waiters(path: Path) -> set[int]:
    """The processes blocked waiting for an fcntl lock on `path` (Linux: /proc/locks lists a
    waiter after "->"), so a test knows a bump is stuck behind the lock, without sleeping."""
    inode = os.stat(path).st_ino
    waiters = set()
    with open("/proc/locks", encoding="ascii") as locks:
        for line in locks:
            fields = line.split()
            if len(fields) > 6 and fields[1] == "->" and fields[6].endswith(f":{inode}"):
                waiters.add(int(fields[5]))
    return waiters
