"""One writer at a time per process on a SQLite file, waited for cooperatively under gevent."""

from __future__ import annotations

import logging
import re
import sys
import threading
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

log = logging.getLogger("chirp.sqlite")
_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)
_HOLDS = "chirp_holds_write_turn"
WAIT_SECONDS = 5.0  # as SQLite's own busy timeout; then SQLite's wait takes over


def green() -> bool:
    """Whether gevent has patched this process's threads (the embedded server's workers)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("threading"))


def take_turns(engine: Engine) -> None:
    """Make the engine's connections take a per-process turn before their first write and
    give it back when their transaction ends.

    Why: SQLite's busy handler sleeps in C. Under gevent, a greenlet that waits there for
    the write lock blocks its whole process, so the greenlet of the same process holding
    that lock (mid-transaction, having yielded) can never finish, and the waiter fails
    with "database is locked" after the timeout. A gevent-aware lock taken first makes
    writers of one process queue cooperatively; SQLite's own wait is left to writers of
    other processes, which do progress. Rule: the turn is held from the first write
    statement to the end of its transaction (commit, rollback, or the connection's return
    to the pool); a turn not granted in WAIT_SECONDS is skipped (logged), never waited for
    forever.
    """
    turn = threading.Lock()

    def before(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if conn.info.get(_HOLDS) or not _WRITE.match(statement):
            return
        if turn.acquire(timeout=WAIT_SECONDS):
            conn.info[_HOLDS] = True
        else:
            log.warning("no write turn in %.0f s; SQLite's own wait decides", WAIT_SECONDS)

    def release(info: dict[str, Any]) -> None:
        if info.pop(_HOLDS, False):
            turn.release()

    sa.event.listen(engine, "before_cursor_execute", before)
    sa.event.listen(engine, "commit", lambda conn: release(conn.info))
    sa.event.listen(engine, "rollback", lambda conn: release(conn.info))
    sa.event.listen(engine, "checkin", lambda _dbapi, record: release(record.info))
