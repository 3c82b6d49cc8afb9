"""What every backing server has in common: folders, pid file, install, start, wait, stop."""

from __future__ import annotations

import shutil
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from pathlib import Path

from scripts.backing.apt import AptInstaller
from scripts.backing.process import (
    Failure,
    Waited,
    pid_alive,
    read_pid,
    say,
    tail,
    terminate,
    wait_for,
)
from scripts.backing.settings import HOST, Settings


class Server(ABC):
    """One server on 127.0.0.1, its files in `.services/<name>/` (or `<name>-<port>/`).

    Rules: `up` leaves a server that already answers alone, whoever started it; a process of
    ours that runs but does not answer yet is waited for, not started twice; `down` stops only
    processes whose pid file we wrote and whose command line still holds `token`."""

    name = ""
    token = ""  # a string expected in the server process's command line
    packages: tuple[str, ...] = ()
    binaries: tuple[str, ...] = ()
    start_timeout = 60.0

    def __init__(self, settings: Settings, apt: AptInstaller) -> None:
        self.settings = settings
        self.apt = apt
        self.port = settings.ports[self.name]
        self.dir = settings.server_dir(self.name)
        self.pidfile = self.dir / f"{self.name}.pid"
        self.log = self.dir / f"{self.name}.log"

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port}"

    @abstractmethod
    def check(self) -> str | None:
        """None when the server answers a real protocol call, else a short reason."""

    @abstractmethod
    def start(self) -> None:
        """Start the server and return once it answers; raise Failure otherwise."""

    def after_ready(self) -> None:  # noqa: B027 - a hook; most servers need nothing here
        """Make sure of what the app needs once the server answers (databases, users)."""

    def wait_started(self) -> None:
        """Our process runs but does not answer yet (e.g. still starting): wait for it."""
        say(f"{self.name}: process running but not answering yet; waiting")
        self.wait_ready(self.start_timeout, lambda: bool(self.pids()))

    def pids(self) -> list[int]:
        pid = read_pid(self.pidfile)
        return [pid] if pid is not None and pid_alive(pid, self.token) else []

    def stop(self) -> bool:
        return terminate(read_pid(self.pidfile), self.token)

    def installed(self) -> bool:
        return all(shutil.which(b) or Path(b).exists() for b in self.binaries)

    def install(self) -> None:
        if self.installed():
            return
        self.apt.ensure(list(self.packages))
        if not self.installed():
            raise Failure(
                f"{self.name}: {', '.join(self.binaries)} still missing after "
                f"apt-get install {' '.join(self.packages)}"
            )

    def wait_ready(self, timeout: float, alive: Callable[[], bool] = lambda: True) -> None:
        outcome, reason = wait_for(self.check, timeout, alive)
        if outcome is Waited.EXITED:
            raise Failure(
                f"{self.name}: server process exited during start-up; "
                f"log: {self.log}\n{tail(self.log)}"
            )
        if outcome is Waited.TIMED_OUT:
            raise Failure(
                f"{self.name}: not answering on {self.address} after {timeout:.0f}s "
                f"({reason}); log: {self.log}\n{tail(self.log)}"
            )

    def up(self) -> str:
        """Bring the server up if needed; a one-line account of what happened."""
        started = time.monotonic()
        if self.check() is None:
            self.after_ready()
            how = "already running" if self.pids() else "already answering (not started here)"
            return f"{how} on {self.address}"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.install()
        if self.pids():
            self.wait_started()
        else:
            self.start()
        self.after_ready()
        return f"up on {self.address} ({time.monotonic() - started:.1f}s)"
