"""RabbitMQ from Debian's package, started detached as the `rabbitmq` user, node chirp@localhost."""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import time
from pathlib import Path

from scripts.backing.apt import AptInstaller
from scripts.backing.probes import check_amqp
from scripts.backing.process import Failure, pid_alive, read_pid, rotate, run, say, tail, terminate
from scripts.backing.server import Server
from scripts.backing.settings import HOST, Settings

FALLBACK_ROOT = Path("/var/lib/rabbitmq/chirp")
DIST_PORT_OFFSET = 20000  # Erlang distribution port = AMQP port + this (25672 by default)


def node_name(port: int) -> str:
    return "chirp@localhost" if port == 5672 else f"chirp{port}@localhost"


class RabbitMQ(Server):
    """Rule: rabbitmq-server drops to the `rabbitmq` user; if that user cannot reach .services/
    (a parent folder such as /root is private), the files go to FALLBACK_ROOT/<hash of the
    folder>/ instead, and a later run finds them there by the pid file."""

    name = "rabbitmq"
    token = "beam"
    packages = ("rabbitmq-server",)
    binaries = ("rabbitmq-server", "rabbitmqctl")
    start_timeout = 120.0

    def __init__(self, settings: Settings, apt: AptInstaller) -> None:
        super().__init__(settings, apt)
        self.node = node_name(self.port)
        digest = hashlib.sha1(str(self.dir).encode()).hexdigest()[:10]
        self.fallback = FALLBACK_ROOT / digest
        self.base = self.fallback if (self.fallback / "rabbitmq.pid").exists() else self.dir
        self._set_paths()

    def _set_paths(self) -> None:
        self.pidfile = self.base / "rabbitmq.pid"
        self.log = self.base / "log" / f"{self.node}.log"

    def env(self) -> dict[str, str]:
        base = self.base
        return dict(
            os.environ,
            RABBITMQ_MNESIA_BASE=str(base / "mnesia"),
            RABBITMQ_LOG_BASE=str(base / "log"),
            RABBITMQ_PID_FILE=str(self.pidfile),
            RABBITMQ_NODENAME=self.node,
            RABBITMQ_NODE_IP_ADDRESS=HOST,
            RABBITMQ_NODE_PORT=str(self.port),
            RABBITMQ_DIST_PORT=str(self.port + DIST_PORT_OFFSET),
            RABBITMQ_ENABLED_PLUGINS_FILE=str(base / "enabled_plugins"),
            RABBITMQ_CONFIG_FILE=str(base / "rabbitmq.conf"),
            ERL_EPMD_ADDRESS=HOST,
            RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}",
        )

    def check(self) -> str | None:
        return check_amqp(self.port)

    def _prepare(self, base: Path) -> bool:
        """Create the folders under `base`, owned by rabbitmq; True if that user can write them."""
        for sub in ("mnesia", "log"):
            (base / sub).mkdir(parents=True, exist_ok=True)
        (base / "enabled_plugins").write_text("[].\n")
        (base / "rabbitmq.conf").write_text(
            "# written by chirp scripts/services\n"
            f"listeners.tcp.default = {HOST}:{self.port}\n"
            "loopback_users.guest = true\n"
            "disk_free_limit.absolute = 50MB\n"
        )
        if not self.settings.is_root:
            return True
        for path in [base, *base.rglob("*")]:
            shutil.chown(path, "rabbitmq", "rabbitmq")
        probe = run(["runuser", "-u", "rabbitmq", "--", "test", "-w", str(base / "log")])
        return probe.returncode == 0

    def _choose_base(self) -> None:
        self.base = self.dir
        if not self._prepare(self.dir):
            say(
                f"{self.name}: the rabbitmq user cannot reach {self.dir}; "
                f"using {self.fallback} instead"
            )
            self.base = self.fallback
            if not self._prepare(self.fallback):
                raise Failure(f"{self.name}: the rabbitmq user cannot write to {self.fallback}")
        self._set_paths()

    def start(self) -> None:
        self._choose_base()
        self.pidfile.unlink(missing_ok=True)
        rotate(self.log)
        out = self.dir / "rabbitmq-server.out"
        with open(out, "wb") as log:
            res = subprocess.run(
                ["rabbitmq-server", "-detached"], env=self.env(), stdin=subprocess.DEVNULL,
                stdout=log, stderr=subprocess.STDOUT, timeout=60, start_new_session=True,
                check=False,
            )  # fmt: skip
        if res.returncode != 0:
            raise Failure(f"{self.name}: rabbitmq-server -detached failed; see {out}\n{tail(out)}")
        started = time.monotonic()

        def alive() -> bool:  # the pid file appears a few seconds after -detached returns
            return bool(self.pids()) or time.monotonic() - started < 20

        self.wait_ready(self.start_timeout, alive)

    def stop(self) -> bool:
        pid = read_pid(self.pidfile)
        if not pid_alive(pid, self.token):
            return False
        with contextlib.suppress(subprocess.TimeoutExpired):
            run(["rabbitmqctl", "-n", self.node, "stop", str(self.pidfile)], timeout=60,
                env=self.env())  # fmt: skip
        terminate(pid, self.token, timeout=15)
        if self.base == self.fallback:
            self.pidfile.unlink(missing_ok=True)
        return True
