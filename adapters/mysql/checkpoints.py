"""SqlCheckpointStore: positions of resumable walks in `migration_checkpoints`."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from adapters.mysql.base import guarded
from adapters.mysql.tables import migration_checkpoints as table
from core.domain.errors import Invalid
from core.ports.checkpoint_store import CheckpointStore, Position

NAME_MAX = 100


class SqlCheckpointStore(CheckpointStore):
    """One row per name, the position written as comma-separated ints; each call is its
    own transaction."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def get(self, name: str) -> Position | None:
        stmt = sa.select(table.c.position).where(table.c.name == name)
        with guarded(), self._engine.connect() as conn:
            text = conn.execute(stmt).scalar_one_or_none()
        return None if text is None else tuple(int(part) for part in text.split(",") if part)

    def put(self, name: str, position: Position) -> None:
        if not 1 <= len(name) <= NAME_MAX:
            raise Invalid.on_field("name", f"a checkpoint name has 1-{NAME_MAX} characters")
        text = ",".join(str(int(part)) for part in position)
        # Delete then insert in one transaction: the same statements on both dialects.
        with guarded(), self._engine.begin() as conn:
            conn.execute(sa.delete(table).where(table.c.name == name))
            conn.execute(sa.insert(table).values(name=name, position=text))

    def clear(self, name: str) -> None:
        with guarded(), self._engine.begin() as conn:
            conn.execute(sa.delete(table).where(table.c.name == name))
