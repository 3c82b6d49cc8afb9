"""Standalone HBase (master + regionserver + ZooKeeper in one JVM) and its Thrift1 gateway."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Callable

from scripts.backing.apt import AptInstaller
from scripts.backing.hbase import runtime
from scripts.backing.probes import check_thrift
from scripts.backing.process import (
    Failure,
    Waited,
    pid_alive,
    port_open,
    read_pid,
    run,
    say,
    spawn,
    tail,
    terminate,
    wait_for,
)
from scripts.backing.server import Server
from scripts.backing.settings import HOST, Settings

MASTER_CLASS = "org.apache.hadoop.hbase.master.HMaster"
THRIFT_CLASS = "org.apache.hadoop.hbase.thrift.ThriftServer"
READY_LINE = b"Master has completed initialization"
THRIFT_TIMEOUT = 120.0


class HBase(Server):
    """Rules: `up` copes with partial states. A live master with a dead gateway gets only a new
    gateway; a dead master takes its gateway down with it and both are started again. `down`
    asks the master for a clean cluster shutdown (~10 s) before signals (~25 s)."""

    name = "hbase"
    token = MASTER_CLASS
    thrift_token = THRIFT_CLASS
    packages = ("openjdk-17-jre-headless", "maven")
    binaries = ("java", "mvn")
    start_timeout = 240.0

    def __init__(self, settings: Settings, apt: AptInstaller) -> None:
        super().__init__(settings, apt)
        self.zk_port = settings.ports["hbase-zk"]
        self.version = runtime.pom_version()
        self.lib = settings.cache_dir / f"hbase-{self.version}" / "lib"
        self.conf = self.dir / "conf"
        self.data = self.dir / "data"
        self.logs = self.dir / "logs"
        self.log = self.logs / "master.log"
        self.thrift_log = self.logs / "thrift.log"
        self.pidfile = self.dir / "master.pid"
        self.thrift_pidfile = self.dir / "thrift.pid"

    @property
    def address(self) -> str:
        return f"{HOST}:{self.port} (thrift; zookeeper {HOST}:{self.zk_port})"

    def check(self) -> str | None:
        return check_thrift(self.port)

    def pids(self) -> list[int]:
        pairs = ((self.pidfile, self.token), (self.thrift_pidfile, self.thrift_token))
        return [
            pid for pidfile, token in pairs if (pid := read_pid(pidfile)) and pid_alive(pid, token)
        ]

    def install(self) -> None:
        if not (shutil.which("java") and shutil.which("mvn")):
            self.apt.ensure(list(self.packages))
        if runtime.jars_current(self.lib):
            return
        say(f"{self.name}: fetching HBase {self.version} jars from Maven Central into {self.lib}")
        started = time.monotonic()
        count = runtime.fetch_jars(
            self.name, self.lib, self.settings.cache_dir / "m2", self.logs / "fetch.log"
        )
        say(f"{self.name}: jars fetched in {time.monotonic() - started:.1f}s ({count} jars)")

    def _java(self, heap: str, proc_name: str) -> list[str]:
        return runtime.java_command(self.settings.java_home, heap, proc_name, self.conf, self.lib)

    def _master_initialized(self) -> bool:
        try:
            with open(self.log, "rb") as f:
                return READY_LINE in f.read()
        except OSError:
            return False

    def _ensure_master(self) -> Callable[[], bool]:
        """Start the master unless ours runs; a check that it is still alive."""
        master_pid = read_pid(self.pidfile)
        if pid_alive(master_pid, self.token):
            return lambda: pid_alive(master_pid, self.token)
        # a gateway left from a dead master would keep answering into the void
        terminate(read_pid(self.thrift_pidfile), self.thrift_token, timeout=10)
        if port_open(self.zk_port):
            raise Failure(
                f"{self.name}: ZooKeeper port {self.zk_port} is already in use by "
                f"another process (set CHIRP_HBASE_ZK_PORT)"
            )
        say(f"{self.name}: starting master (with regionserver and ZooKeeper)")
        proc = spawn([*self._java("1g", "master"), MASTER_CLASS, "start"], self.log,
                     self.pidfile, cwd=self.dir)  # fmt: skip
        return lambda: proc.poll() is None

    def _wait_master(self, alive: Callable[[], bool]) -> None:
        def initialised() -> str | None:
            return None if self._master_initialized() else "not initialised"

        outcome, _ = wait_for(initialised, self.start_timeout, alive)
        if outcome is Waited.EXITED:
            raise Failure(
                f"{self.name}: master exited during start-up; log: {self.log}\n{tail(self.log)}"
            )
        if outcome is Waited.TIMED_OUT:
            raise Failure(
                f"{self.name}: master not initialised after {self.start_timeout:.0f}s; "
                f"log: {self.log}\n{tail(self.log)}"
            )

    def _ensure_thrift(self) -> Callable[[], bool]:
        """Start the Thrift1 gateway unless ours runs; a check that it is still alive."""
        thrift_pid = read_pid(self.thrift_pidfile)
        if pid_alive(thrift_pid, self.thrift_token):
            return lambda: pid_alive(thrift_pid, self.thrift_token)
        say(f"{self.name}: master initialised; starting Thrift1 gateway")
        proc = spawn(
            [*self._java("384m", "thrift"), THRIFT_CLASS,
             "-b", HOST, "-p", str(self.port), "-threadpool", "start"],
            self.thrift_log, self.thrift_pidfile, cwd=self.dir,
        )  # fmt: skip
        return lambda: proc.poll() is None

    def _wait_thrift(
        self, thrift_alive: Callable[[], bool], master_alive: Callable[[], bool]
    ) -> None:
        outcome, reason = wait_for(
            self.check, THRIFT_TIMEOUT, lambda: thrift_alive() and master_alive(), interval=0.5
        )
        if outcome is Waited.EXITED and not thrift_alive():
            raise Failure(
                f"{self.name}: thrift gateway exited; log: {self.thrift_log}\n"
                f"{tail(self.thrift_log)}"
            )
        if outcome is Waited.EXITED:
            raise Failure(f"{self.name}: master exited; log: {self.log}\n{tail(self.log)}")
        if outcome is Waited.TIMED_OUT:
            raise Failure(
                f"{self.name}: thrift not answering on {HOST}:{self.port} ({reason}); "
                f"log: {self.thrift_log}\n{tail(self.thrift_log)}"
            )

    def start(self) -> None:
        runtime.write_conf(self.conf, self.data, self.zk_port, self.port)
        self.data.mkdir(parents=True, exist_ok=True)
        master_alive = self._ensure_master()
        self._wait_master(master_alive)
        self._wait_thrift(self._ensure_thrift(), master_alive)

    def wait_started(self) -> None:
        self.start()  # start() copes with a running master and/or thrift gateway

    def stop(self) -> bool:
        stopped = terminate(read_pid(self.thrift_pidfile), self.thrift_token, timeout=15)
        pid = read_pid(self.pidfile)
        if pid is None or not pid_alive(pid, self.token):
            return stopped
        # a clean cluster shutdown through the master's API takes ~10 s; SIGTERM alone ~25 s
        if self.lib.is_dir():
            with contextlib.suppress(subprocess.TimeoutExpired):
                run([*self._java("256m", "stop"), MASTER_CLASS, "stop", "--shutDownCluster"],
                    timeout=60, cwd=self.dir)  # fmt: skip
            for _ in range(150):
                if not pid_alive(pid, self.token):
                    return True
                time.sleep(0.2)
        terminate(pid, self.token, timeout=45)
        return True
