"""Redis and Memcached: one foreground process each, differing only in the data rows below."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

from scripts.backing.apt import AptInstaller
from scripts.backing.probes import check_memcached, check_redis
from scripts.backing.process import spawn
from scripts.backing.server import Server
from scripts.backing.settings import HOST, Settings


@dataclass(frozen=True, slots=True, kw_only=True)
class CacheKind:
    """A cache server as data; `{host}`, `{port}` and `{dir}` in `args` are filled in."""

    name: str
    package: str
    binary: str  # also the token looked for in the process's command line
    args: tuple[str, ...]
    root_args: tuple[str, ...]  # added only when running as root
    probe: Callable[[int], str | None]


REDIS = CacheKind(
    name="redis",
    package="redis-server",
    binary="redis-server",
    # no persistence: the cache is rebuilt from MariaDB/HBase
    args=("--bind", "{host}", "--port", "{port}", "--daemonize", "no", "--protected-mode", "yes",
          "--save", "", "--appendonly", "no", "--dir", "{dir}", "--logfile", ""),
    root_args=(),
    probe=check_redis,
)  # fmt: skip
MEMCACHED = CacheKind(
    name="memcached",
    package="memcached",
    binary="memcached",
    args=("-l", "{host}", "-p", "{port}", "-U", "0", "-m", "64", "-c", "1024"),
    root_args=("-u", "root"),  # memcached refuses to run as root without it
    probe=check_memcached,
)


class CacheServer(Server):
    """A server started in the foreground from its binary, its output in `<name>.log`."""

    start_timeout = 30.0

    def __init__(self, kind: CacheKind, settings: Settings, apt: AptInstaller) -> None:
        self.kind = kind
        self.name = kind.name
        self.token = kind.binary
        self.packages = (kind.package,)
        self.binaries = (kind.binary,)
        super().__init__(settings, apt)

    def check(self) -> str | None:
        return self.kind.probe(self.port)

    def command(self) -> list[str]:
        fill = {"host": HOST, "port": str(self.port), "dir": str(self.dir)}
        args = [arg.format(**fill) for arg in self.kind.args]
        root = list(self.kind.root_args) if self.settings.is_root else []
        return [shutil.which(self.kind.binary) or self.kind.binary, *args, *root]

    def start(self) -> None:
        proc = spawn(self.command(), self.log, self.pidfile)
        self.wait_ready(self.start_timeout, lambda: proc.poll() is None)
