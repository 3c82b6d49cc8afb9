"""MariaDB from Debian's package, its own data folder, database and user `chirp` ensured."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable

from scripts.backing.apt import AptInstaller
from scripts.backing.probes import check_mysql
from scripts.backing.process import Failure, Waited, run, say, spawn, tail, wait_for
from scripts.backing.server import Server
from scripts.backing.settings import (
    HOST,
    MYSQL_DB,
    MYSQL_PASSWORD,
    MYSQL_USER,
    Settings,
    socket_path,
)


def setup_sql() -> str:
    """Database `chirp` and user `chirp`, allowed on `chirp` and on the tests' `chirp_test*`."""
    grants = []
    for host in ("127.0.0.1", "localhost"):
        who = f"'{MYSQL_USER}'@'{host}'"
        grants += [
            f"CREATE USER IF NOT EXISTS {who} IDENTIFIED BY '{MYSQL_PASSWORD}'",
            f"ALTER USER {who} IDENTIFIED BY '{MYSQL_PASSWORD}'",
            f"GRANT ALL PRIVILEGES ON `{MYSQL_DB}`.* TO {who}",
            f"GRANT ALL PRIVILEGES ON `chirp\\_test%`.* TO {who}",
        ]
    create = (
        f"CREATE DATABASE IF NOT EXISTS `{MYSQL_DB}` CHARACTER SET utf8mb4 "
        f"COLLATE utf8mb4_unicode_ci"
    )
    return ";".join([create, *grants, "FLUSH PRIVILEGES"])


class MariaDB(Server):
    name = "mariadb"
    token = "mariadbd"
    packages = ("mariadb-server",)
    binaries = ("/usr/sbin/mariadbd", "mariadb-install-db", "mariadb")
    start_timeout = 90.0

    def __init__(self, settings: Settings, apt: AptInstaller) -> None:
        super().__init__(settings, apt)
        self.data = self.dir / "data"
        self.socket = socket_path(self.dir)

    def check(self) -> str | None:
        return check_mysql(self.port, MYSQL_USER, MYSQL_PASSWORD)

    def _user(self) -> list[str]:
        return ["--user=root"] if self.settings.is_root else []

    def _init_datadir(self) -> None:
        """mariadb-install-db into a temporary folder, renamed only once it succeeded."""
        say(f"{self.name}: initialising data directory {self.data}")
        tmp = self.dir / "data.init"
        shutil.rmtree(tmp, ignore_errors=True)
        res = run(
            ["mariadb-install-db", "--no-defaults", *self._user(), f"--datadir={tmp}",
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            timeout=180,
        )  # fmt: skip
        log = self.dir / "install-db.log"
        log.write_text(res.stdout + res.stderr)
        if res.returncode != 0:
            raise Failure(f"{self.name}: mariadb-install-db failed; log: {log}\n{tail(log)}")
        shutil.rmtree(self.data, ignore_errors=True)
        tmp.rename(self.data)

    def start(self) -> None:
        if not (self.data / "mysql").is_dir():
            self._init_datadir()
        proc = spawn(
            ["/usr/sbin/mariadbd", "--no-defaults", *self._user(), f"--datadir={self.data}",
             f"--socket={self.socket}", f"--port={self.port}", f"--bind-address={HOST}",
             f"--pid-file={self.dir / 'mariadbd.pid'}", f"--log-error={self.log}",
             "--skip-name-resolve", "--character-set-server=utf8mb4",
             "--collation-server=utf8mb4_unicode_ci", "--max-connections=500",
             "--innodb-buffer-pool-size=128M", "--innodb-flush-log-at-trx-commit=2"],
            self.dir / "mariadbd.out",
            self.pidfile,
        )  # fmt: skip
        self._wait_root(lambda: proc.poll() is None)

    def wait_started(self) -> None:
        say(f"{self.name}: process running but not answering yet; waiting")
        self._wait_root(lambda: bool(self.pids()))

    def _wait_root(self, alive: Callable[[], bool]) -> None:
        """Wait until root answers through the socket (user chirp may not exist yet)."""
        outcome, _ = wait_for(lambda: self._root_exec("select 1"), self.start_timeout, alive)
        if outcome is Waited.EXITED:
            raise Failure(
                f"{self.name}: mariadbd exited during start-up; log: {self.log}\n{tail(self.log)}"
            )
        if outcome is Waited.TIMED_OUT:
            raise Failure(
                f"{self.name}: no answer after {self.start_timeout:.0f}s; log: "
                f"{self.log}\n{tail(self.log)}"
            )

    def _root_exec(self, sql: str) -> str | None:
        try:
            res = run(
                ["mariadb", "--no-defaults", "-uroot", f"--socket={self.socket}",
                 "--connect-timeout=3", "-Nse", sql],
                timeout=30,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return "timeout"
        return None if res.returncode == 0 else (res.stderr.strip() or f"rc={res.returncode}")

    def after_ready(self) -> None:
        if not self.pids():  # not ours (already answering as chirp): leave it alone
            return
        err = self._root_exec(setup_sql())
        if err:
            raise Failure(f"{self.name}: creating database/user failed: {err}")
        self.wait_ready(15)  # as the chirp user over TCP
