"""One writer at a time on a SQLite file, waited for cooperatively under gevent, requests first."""

from __future__ import annotations

import contextvars
import fcntl
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger("chirp.sqlite")
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_HOLDS = "chirp_holds_write_turn"
WAIT_SECONDS = 5.0  # as SQLite's own busy timeout; then SQLite's wait takes over
# How often a waiting writer tries again: a request soon, a background writer less often.
POLL_SECONDS = {False: 0.0002, True: 0.001}
_background = contextvars.ContextVar("chirp_background_writer", default=False)


def green() -> bool:
    """Whether gevent has patched this process's threads (the embedded server's workers)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


@contextmanager
def background() -> Iterator[None]:
    """Mark this thread's (greenlet's) writes as background work: they let waiting
    requests write first (see take_turns)."""
    token = _background.set(True)
    try:
        yield
    finally:
        _background.reset(token)


class _Turn:
    """The write turn of one process: at most one holder; a waiting request goes before any
    waiting background writer (a job's chunk), so it waits for one chunk, not a queue."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._held = False
        self._requests_waiting = 0

    def acquire(self, is_background: bool, timeout: float) -> bool:
        def mine() -> bool:
            return not self._held and not (is_background and self._requests_waiting)

        waiting = 0 if is_background else 1
        with self._cond:
            self._requests_waiting += waiting
            try:
                if not self._cond.wait_for(mine, timeout):
                    return False
                self._held = True
                return True
            finally:
                self._requests_waiting -= waiting

    def release(self) -> None:
        with self._cond:
            self._held = False
            self._cond.notify_all()


class _FileTurn:
    """The write turn among processes, on two lock files beside the database, tried without
    blocking and polled (a blocking lock, like SQLite's busy handler sleeping in C, would
    stop every greenlet of the process). `<db>-turn`: exclusive, held by the writing
    process. `<db>-urgent`: shared by every process with a request waiting to write; a
    background writer first probes it and stays away while anyone holds it. Opened
    lazily, once per process (pid: a fork opens its own)."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._fds = (-1, -1, -1)
        self._pid = 0
        self._announced = 0

    @contextmanager
    def announced(self) -> Iterator[None]:
        """While this block runs, background writers of every process stay away."""
        urgent = self._open()[1]
        self._announced += 1
        if self._announced == 1:
            _poll(lambda: _try_lock(urgent, fcntl.LOCK_SH), time.monotonic() + WAIT_SECONDS, 0)
        try:
            yield
        finally:
            self._announced -= 1
            if self._announced == 0:
                fcntl.flock(urgent, fcntl.LOCK_UN)

    def requests_waiting(self) -> bool:
        probe = self._open()[2]
        if not _try_lock(probe, fcntl.LOCK_EX):
            return True
        fcntl.flock(probe, fcntl.LOCK_UN)
        return False

    def try_take(self) -> bool:
        return _try_lock(self._open()[0], fcntl.LOCK_EX)

    def release(self) -> None:
        if self._pid == os.getpid():
            fcntl.flock(self._fds[0], fcntl.LOCK_UN)

    def _open(self) -> tuple[int, int, int]:
        if self._pid != os.getpid():
            turn, urgent = f"{self._path}-turn", f"{self._path}-urgent"
            self._fds = tuple(  # type: ignore[assignment]
                os.open(name, os.O_RDWR | os.O_CREAT, 0o600) for name in (turn, urgent, urgent)
            )
            self._pid = os.getpid()
        return self._fds


class _Writers:
    """Who writes next on one SQLite file: a request announces itself to every process,
    takes this process's turn (before any background writer), then polls the file's turn
    briskly. A background writer waits until no request anywhere waits, and holds this
    process's turn only while it tries the file's, so it never keeps a request out."""

    def __init__(self, path: str) -> None:
        self._turn = _Turn()
        self._files = _FileTurn(path)

    def take(self, is_background: bool) -> bool:
        deadline = time.monotonic() + WAIT_SECONDS
        if is_background:
            return _poll(self._take_in_background, deadline, POLL_SECONDS[True])
        with self._files.announced():
            if not self._turn.acquire(False, WAIT_SECONDS):
                return False
            if _poll(self._files.try_take, deadline, POLL_SECONDS[False]):
                return True
            self._turn.release()
            return False

    def give_back(self) -> None:
        self._files.release()
        self._turn.release()

    def _take_in_background(self) -> bool:
        if self._files.requests_waiting() or not self._turn.acquire(True, 0):
            return False
        if self._files.try_take():
            return True
        self._turn.release()
        return False


def _try_lock(fd: int, how: int) -> bool:
    try:
        fcntl.flock(fd, how | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _poll(attempt: Callable[[], bool], deadline: float, interval: float) -> bool:
    """Call `attempt` until it is True (then True) or `deadline` passes (then False),
    sleeping `interval` seconds between calls (a greenlet's sleep under gevent)."""
    while not attempt():
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
    return True


def take_turns(engine: Engine) -> None:
    """Make the engine's connections take a turn before their first write and give it back
    when their transaction ends: first this process's turn, then the file's.

    Why: SQLite's busy handler sleeps in C. Under gevent, a greenlet that waits there for
    the write lock blocks its whole process, so the greenlet of the same process holding
    that lock (mid-transaction, having yielded) can never finish, and the waiter fails
    with "database is locked" after the timeout. Between processes its sleeps grow to
    100 ms, so a request of one server process kept losing the lock to the other's
    fan-out chunks (a 1000-follower post's next POST waited 20-900 ms). Rules: the turn
    is held from the first write statement to the end of its transaction (commit,
    rollback, or the connection's return to the pool); writes marked `background()` wait
    while a request of any process waits (_Writers), so a request waits for one chunk; a turn
    not granted in WAIT_SECONDS is skipped (logged), never waited for forever; a process
    that dies holding the file's turn loses it with its descriptor.
    """
    writers = _Writers(str(engine.url.database))

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if conn.info.get(_HOLDS) or not _WRITE.match(statement):
            return
        if writers.take(_background.get()):
            conn.info[_HOLDS] = True
        else:
            log.warning("no write turn in %.0f s; SQLite's own wait decides", WAIT_SECONDS)

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            writers.give_back()

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "commit", lambda conn: release(conn.info))
    sa.event.listen(engine, "rollback", lambda conn: release(conn.info))
    sa.event.listen(engine, "checkin", lambda _dbapi, record: release(record.info))
