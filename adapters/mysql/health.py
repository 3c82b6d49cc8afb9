"""Readiness probe for the SQL database (used by /readyz)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.mysql.base import guarded


def ping(engine: Engine) -> None:
    """Return when the database answers `SELECT 1`; raise Unavailable when it does not."""
    with guarded(), engine.connect() as connection:
        connection.execute(sa.text("SELECT 1")).scalar_one()
