"""InMemoryCheckpointStore: positions of resumable walks by name."""

from __future__ import annotations

from adapters.memory.switch import Switch
from core.domain.errors import Invalid
from core.ports.checkpoint_store import CheckpointStore, Position

NAME_MAX = 100


class InMemoryCheckpointStore(Switch, CheckpointStore):
    """Positions by name, lost with the process."""

    def __init__(self) -> None:
        super().__init__()
        self._positions: dict[str, Position] = {}

    def get(self, name: str) -> Position | None:
        self.check()
        return self._positions.get(name)

    def put(self, name: str, position: Position) -> None:
        self.check()
        if not 1 <= len(name) <= NAME_MAX:
            raise Invalid.on_field("name", f"a checkpoint name has 1-{NAME_MAX} characters")
        self._positions[name] = tuple(position)

    def clear(self, name: str) -> None:
        self.check()
        self._positions.pop(name, None)
