"""What the benchmarks share: a fresh MariaDB database of their own (chirp_test_*)."""

from __future__ import annotations

import sqlalchemy as sa

from adapters.mysql.engine import make_engine, upgrade

MYSQL_SERVER = "mysql+pymysql://chirp:chirp@127.0.0.1:3306"


def fresh_database(name: str) -> str:
    """Drop and create database `name` (the chirp user may create chirp_test_* ones),
    migrate it to the newest schema, and return its URL."""
    admin = make_engine(f"{MYSQL_SERVER}/chirp_test_contract")
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(
            sa.text(f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
        )
    admin.dispose()
    url = f"{MYSQL_SERVER}/{name}?charset=utf8mb4"
    upgrade(url)
    return url


def drop_database(name: str) -> None:
    """Drop database `name` (one `fresh_database` made), if it is there."""
    admin = make_engine(f"{MYSQL_SERVER}/chirp_test_contract")
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {name}"))
    admin.dispose()
