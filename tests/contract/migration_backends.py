"""Engines for the migration contract suites: a migrated SQLite file, or a MariaDB database."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy.engine import Engine

from adapters.mysql.engine import make_engine, upgrade
from tests.contract.sql_backends import fresh_mysql_url

DATABASE = "chirp_test_migration"


def sqlite_engine(tmp_path: Path) -> Engine:
    """A new SQLite file brought to the newest migration (so 0003 runs on SQLite too)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'migration.db'}")
    upgrade(engine)
    return engine


def mysql_engine() -> Engine:
    """An engine on an emptied MariaDB database of these suites' own, migrated to head."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    return make_engine(fresh_mysql_url(f"{DATABASE}_{worker}" if worker else DATABASE))
