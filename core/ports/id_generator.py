"""IdGenerator port: time-ordered 64-bit ids."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class IdGenerator(Protocol):
    """Makes ids laid out as `core.domain.ids` says: unique, increasing, time in the high bits."""

    @abstractmethod
    def next_id(self) -> int:
        """A fresh id, larger than every id this generator made before."""
