"""The migrations build exactly the schema the adapters' table definitions describe."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from adapters.mysql.engine import make_engine, upgrade
from adapters.mysql.tables import metadata
from tests.contract.sql_backends import fresh_mysql_url


def _differences(url: str) -> list[object]:
    engine = make_engine(url)
    upgrade(engine)
    try:
        with engine.connect() as connection:
            # Only what the queries rely on: tables, columns, nullability, indexes.
            context = MigrationContext.configure(connection, opts={"compare_type": False})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_a_sqlite_file_migrated_to_the_newest_schema_matches_the_tables(tmp_path: Path) -> None:
    assert _differences(f"sqlite:///{tmp_path / 'chirp.sqlite3'}") == []


@pytest.mark.integration
def test_a_mariadb_database_migrated_to_the_newest_schema_matches_the_tables() -> None:
    assert _differences(fresh_mysql_url("chirp_test_schema")) == []
