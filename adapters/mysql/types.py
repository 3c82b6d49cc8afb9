"""Column types that behave the same on MySQL/MariaDB and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Dialect

MYSQL_DIALECTS = ("mysql", "mariadb")


class UtcDateTime(sa.TypeDecorator[datetime]):
    """An aware UTC datetime with microseconds, stored naive in UTC (MySQL: DATETIME(6)).

    Storing naive UTC keeps comparisons in SQL exact on both dialects; reading always gives
    an aware datetime back, so the domain never sees a naive one.
    """

    impl = sa.DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name in MYSQL_DIALECTS:
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(sa.DateTime())

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def exact_string(length: int) -> sa.types.TypeEngine[str]:
    """A VARCHAR compared byte for byte (keys, hashes): MySQL's default collation would fold
    case and accents, SQLite's would not, and the two must agree."""
    binary = mysql.VARCHAR(length, charset="utf8mb4", collation="utf8mb4_bin")
    return sa.String(length).with_variant(binary, *MYSQL_DIALECTS)


def long_text() -> sa.types.TypeEngine[str]:
    """Text that may pass MySQL's 64 KiB TEXT limit (a fan-out batch's reader ids)."""
    return sa.Text().with_variant(mysql.MEDIUMTEXT(), *MYSQL_DIALECTS)


def serial_key() -> sa.types.TypeEngine[int]:
    """An auto-increment key: BIGINT on MySQL, INTEGER on SQLite (only that aliases rowid)."""
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")
