"""The six servers by name, and turning the command line's names into servers."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from scripts.backing.apt import AptInstaller
from scripts.backing.cache_servers import MEMCACHED, REDIS, CacheServer
from scripts.backing.hbase.server import HBase
from scripts.backing.mariadb import MariaDB
from scripts.backing.rabbitmq import RabbitMQ
from scripts.backing.s3 import S3
from scripts.backing.server import Server
from scripts.backing.settings import Settings

ServerFactory = Callable[[Settings, AptInstaller], Server]

SERVERS: dict[str, ServerFactory] = {
    "mariadb": MariaDB,
    "redis": partial(CacheServer, REDIS),
    "memcached": partial(CacheServer, MEMCACHED),
    "rabbitmq": RabbitMQ,
    "hbase": HBase,
    "s3": S3,
}
ALIASES = {"mysql": "mariadb", "moto": "s3"}


class UnknownServer(ValueError):
    """A name on the command line that is neither a server nor an alias."""


def server_names(names: list[str] | tuple[str, ...]) -> list[str]:
    """Canonical names in the order given, aliases resolved, case ignored, repeats dropped;
    no names at all means every server."""
    if not names:
        return list(SERVERS)
    chosen: list[str] = []
    for name in names:
        key = ALIASES.get(name.lower(), name.lower())
        if key not in SERVERS:
            raise UnknownServer(f"unknown server {name!r}; choose from: {', '.join(SERVERS)}")
        if key not in chosen:
            chosen.append(key)
    return chosen


def select(
    names: list[str] | tuple[str, ...], settings: Settings, apt: AptInstaller
) -> list[Server]:
    return [SERVERS[key](settings, apt) for key in server_names(names)]
