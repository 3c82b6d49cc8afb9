"""CheckpointStore port: where resumable walks (the backfill) left off."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

Position = tuple[int, ...]


class CheckpointStore(Protocol):
    """Positions by name (1-100 characters), each a tuple of ints (a primary key). Every
    call commits on its own, not with any unit of work, so a checkpoint outlives a crash of
    the walker that wrote it. A down store raises Unavailable."""

    @abstractmethod
    def get(self, name: str) -> Position | None:
        """The position last put under `name`, or None when there is none."""

    @abstractmethod
    def put(self, name: str, position: Position) -> None:
        """Create or replace the position under `name`."""

    @abstractmethod
    def clear(self, name: str) -> None:
        """Forget `name` (idempotent): the next walk starts from the beginning."""
