"""Two writers of one gevent process on one SQLite file: the second waits its turn instead of
blocking the process in SQLite's busy handler until it fails "database is locked"."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import sys, time
    import gevent
    import sqlalchemy as sa
    from adapters.mysql.engine import make_engine

    engine = make_engine(f"sqlite:///{sys.argv[1]}")
    with engine.begin() as conn:
        conn.execute(sa.text("PRAGMA busy_timeout=1000"))
        conn.execute(sa.text("CREATE TABLE notes (n INTEGER)"))

    def slow_writer():
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO notes VALUES (1)"))
            gevent.sleep(0.3)  # yields mid-transaction, holding SQLite's write lock

    def second_writer():
        gevent.sleep(0.05)
        with engine.begin() as conn:
            conn.execute(sa.text("PRAGMA busy_timeout=1000"))
            conn.execute(sa.text("INSERT INTO notes VALUES (2)"))

    results = []
    def guarded(step):
        try:
            step()
            results.append("ok")
        except Exception as exc:
            results.append(type(exc).__name__ + ": " + str(exc).splitlines()[0])

    gevent.joinall([gevent.spawn(guarded, slow_writer), gevent.spawn(guarded, second_writer)])
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT COUNT(*) FROM notes")).scalar_one()
    print(results, rows)
    """
)


def test_a_second_writer_in_a_green_process_waits_for_the_first_to_commit(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path / "chirp.sqlite3")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['ok', 'ok'] 2"
