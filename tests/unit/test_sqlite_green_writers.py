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


ORDER_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import sys
    import gevent
    import sqlalchemy as sa
    from adapters.mysql.engine import make_engine
    from adapters.mysql.sqlite_writers import background

    engine = make_engine(f"sqlite:///{sys.argv[1]}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (who TEXT)"))

    def write(who, hold=0.0):
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO notes VALUES (:who)"), {"who": who})
            gevent.sleep(hold)  # yields holding the turn

    def job():
        with background():
            write("job")

    first = gevent.spawn(write, "first", 0.3)
    gevent.sleep(0.05)
    queued_job = gevent.spawn(job)  # waits for the turn first ...
    gevent.sleep(0.05)
    request = gevent.spawn(write, "request")  # ... and still writes after this request
    gevent.joinall([first, queued_job, request])
    with engine.connect() as conn:
        print(conn.execute(sa.text("SELECT who FROM notes ORDER BY rowid")).scalars().all())
    """
)


def test_a_waiting_request_writes_before_a_background_job_that_waited_longer(
    tmp_path: Path,
) -> None:
    done = subprocess.run(
        [sys.executable, "-c", ORDER_SCRIPT, str(tmp_path / "chirp.sqlite3")],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['first', 'request', 'job']"


OTHER_PROCESS_SCRIPT = textwrap.dedent(
    """
    from gevent import monkey
    monkey.patch_all()
    import sys
    import gevent
    import sqlalchemy as sa
    from adapters.mysql.engine import make_engine
    from adapters.mysql.sqlite_writers import background

    engine = make_engine(f"sqlite:///{sys.argv[1]}")

    def write(who):
        with engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO notes VALUES (:who)"), {"who": who})
        print(who, flush=True)

    def job():
        with background():
            write("job")

    gevent.joinall([gevent.spawn(job), gevent.spawn(write, "request")])
    """
)


def test_a_background_job_waits_while_a_request_of_another_process_waits_to_write(
    tmp_path: Path,
) -> None:
    import fcntl

    import sqlalchemy as sa

    db = tmp_path / "chirp.sqlite3"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE notes (who TEXT)"))
    engine.dispose()
    with open(f"{db}-urgent", "w") as urgent:
        fcntl.flock(urgent, fcntl.LOCK_SH)  # a request of this process waits to write
        other = subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS_SCRIPT, str(db)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert other.stdout is not None
        assert other.stdout.readline().strip() == "request"  # its own request goes ...
        fcntl.flock(urgent, fcntl.LOCK_UN)  # ... its job only once ours stopped waiting
        out, err = other.communicate(timeout=60)
    assert other.returncode == 0, err
    assert out.strip() == "job"
