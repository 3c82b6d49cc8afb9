"""Process helpers: console lines, pid files, spawning, stopping, waiting, and the run lock."""

from __future__ import annotations

import fcntl
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TypeVar

import click

from scripts.backing.settings import HOST

T = TypeVar("T")

_T0 = time.monotonic()
_print_lock = threading.Lock()


class Failure(Exception):
    """A server could not be installed, started or reached."""


def elapsed() -> float:
    """Seconds since this run started."""
    return time.monotonic() - _T0


def say(msg: str) -> None:
    """One timestamped progress line; whole lines even when several threads talk at once."""
    with _print_lock:
        click.echo(f"[{elapsed():6.1f}s] {msg}")


def tail(path: Path, lines: int = 12) -> str:
    """The last lines of a log, indented, for a failure message."""
    try:
        data = path.read_bytes()[-8192:].decode("utf-8", "replace").splitlines()[-lines:]
    except OSError:
        return ""
    return "\n".join("      | " + line[:300] for line in data)


def read_pid(pidfile: Path) -> int | None:
    try:
        return int(pidfile.read_text().strip())
    except (OSError, ValueError):
        return None


def pid_alive(pid: int | None, token: str | None = None) -> bool:
    """True if `pid` runs (not a zombie) and its command line contains `token`.

    The token guards against a recycled pid: a stale pid file must never make us signal an
    unrelated process."""
    if not pid:
        return False
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            if f.read().rsplit(b")", 1)[1].split()[0] == b"Z":
                return False
        if token:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
            return token.encode() in cmdline
        return True
    except (OSError, IndexError):
        return False


def rss_mb(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return None


def port_open(port: int, timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=timeout):
            return True
    except OSError:
        return False


def rotate(log: Path) -> None:
    """Keep the previous run's log as `<log>.1`."""
    if log.exists() and log.stat().st_size:
        log.replace(log.with_name(log.name + ".1"))


def spawn(
    argv: list[str],
    log: Path,
    pidfile: Path | None = None,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start a long-running server in its own session, stdout+stderr to `log`."""
    log.parent.mkdir(parents=True, exist_ok=True)
    rotate(log)
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C on `up` must not kill the servers
            env=env,
            cwd=cwd,
            close_fds=True,
        )
    if pidfile:
        pidfile.write_text(f"{proc.pid}\n")
    return proc


def terminate(pid: int | None, token: str, timeout: float = 30.0) -> bool:
    """SIGTERM, then SIGKILL after `timeout`. Returns True if something was stopped."""
    if pid is None or not pid_alive(pid, token):
        return False
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not pid_alive(pid, token):
            return True
        time.sleep(0.2)
    os.kill(pid, signal.SIGKILL)
    for _ in range(50):
        if not pid_alive(pid, token):
            break
        time.sleep(0.1)
    return True


def run(
    argv: list[str],
    timeout: float = 60,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
) -> subprocess.CompletedProcess[str]:
    """A short command, output captured as text."""
    return subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout,
        env=env, cwd=cwd, check=False,
    )  # fmt: skip


class Waited(StrEnum):
    READY = "ready"
    EXITED = "exited"
    TIMED_OUT = "timed out"


def wait_for(
    probe: Callable[[], str | None],
    timeout: float,
    alive: Callable[[], bool] = lambda: True,
    interval: float = 0.3,
) -> tuple[Waited, str]:
    """Poll `probe` (None means ready, else a reason) until ready, `alive()` fails, or timeout.

    Returns the outcome and the last reason, for the caller's failure message."""
    deadline = time.monotonic() + timeout
    reason = "not checked"
    while True:
        found = probe()
        if found is None:
            return Waited.READY, ""
        reason = found
        if not alive():
            return Waited.EXITED, reason
        if time.monotonic() > deadline:
            return Waited.TIMED_OUT, reason
        time.sleep(interval)


def in_parallel(work: Callable[[T], object], items: Iterable[T]) -> None:
    """Run `work(item)` for every item in its own thread and wait for all of them."""
    threads = [threading.Thread(target=work, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


@contextmanager
def services_lock(folder: Path, on_wait: Callable[[], None]) -> Iterator[None]:
    """Hold `<folder>/.lock` exclusively for the duration of an `up` or `down`.

    Rules: two runs that start or stop the same servers at once would both spawn a server and
    one would fail on the taken port, so only one `up`/`down` runs at a time per services
    folder. A second run does not refuse: it calls `on_wait` once and blocks until the first
    finishes. The lock is a kernel flock on an open file, so it goes away when its holder
    exits, even after `kill -9`: a stale lock file never blocks anyone. `status` takes no lock.
    """
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield
