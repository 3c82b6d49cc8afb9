"""Where the backing servers live: ports, folders and credentials, read from the environment."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

HOST = "127.0.0.1"
ROOT = Path(__file__).resolve().parents[2]
VENV = ROOT / ".venv"

MYSQL_DB, MYSQL_USER, MYSQL_PASSWORD = "chirp", "chirp", "chirp"
S3_ACCESS_KEY, S3_SECRET_KEY, S3_REGION = "chirp", "chirpsecret", "us-east-1"

# server name -> (environment variable that moves its port, default port)
DEFAULT_PORTS: dict[str, tuple[str, int]] = {
    "mariadb": ("CHIRP_MYSQL_PORT", 3306),
    "redis": ("CHIRP_REDIS_PORT", 6379),
    "memcached": ("CHIRP_MEMCACHED_PORT", 11211),
    "rabbitmq": ("CHIRP_RABBITMQ_PORT", 5672),
    "hbase": ("CHIRP_HBASE_THRIFT_PORT", 9090),
    "hbase-zk": ("CHIRP_HBASE_ZK_PORT", 2181),
    "s3": ("CHIRP_S3_PORT", 9000),
}

# unix socket paths are limited to ~107 bytes (sun_path)
MAX_SOCKET_PATH = 100


class SettingsError(ValueError):
    """An environment variable holds a value the script cannot use."""


def env_port(env: Mapping[str, str], var: str, default: int) -> int:
    """The port in `var`; unset or blank means `default`."""
    value = env.get(var, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise SettingsError(f"{var} must be a port number, not {value!r}") from None


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Everything the servers derive from the environment, read once per run."""

    services_dir: Path
    cache_dir: Path
    ports: Mapping[str, int]
    is_root: bool
    java_home: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, euid: int | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            services_dir=Path(env.get("CHIRP_SERVICES_DIR", str(ROOT / ".services"))),
            cache_dir=Path(env.get("XDG_CACHE_HOME", str(Path.home() / ".cache"))) / "chirp",
            ports={name: env_port(env, var, port) for name, (var, port) in DEFAULT_PORTS.items()},
            is_root=(os.geteuid() if euid is None else euid) == 0,
            java_home=env.get("JAVA_HOME") or None,
        )

    def server_dir(self, name: str) -> Path:
        """A moved port gets its own folder: its data and pid file never mix with the default's."""
        port = self.ports[name]
        moved = port != DEFAULT_PORTS[name][1]
        return self.services_dir / (f"{name}-{port}" if moved else name)


def socket_path(folder: Path) -> Path:
    """MariaDB's socket in `folder`, or under /tmp when that path is too long for a socket."""
    sock = folder / "mysql.sock"
    if len(str(sock)) > MAX_SOCKET_PATH:
        digest = hashlib.sha1(bytes(sock)).hexdigest()[:10]
        sock = Path("/tmp") / f"chirp-mariadb-{digest}.sock"
    return sock
