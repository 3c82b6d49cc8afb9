"""Alembic environment for chirp's SQL schema; run through adapters.mysql.engine.upgrade."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from adapters.mysql.engine import make_engine
from adapters.mysql.tables import metadata


def run_offline() -> None:
    """Print the SQL for a url given as `sqlalchemy.url` instead of running it."""
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Migrate on the connection upgrade() passed in, or on a fresh one from the url."""
    connection = context.config.attributes.get("connection")
    if connection is None:
        engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
        with engine.begin() as fresh:
            _migrate(fresh)
        engine.dispose()
        return
    _migrate(connection)


def _migrate(connection: Connection) -> None:
    # Batch mode lets later revisions alter SQLite tables (which lack most ALTER TABLE).
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
