"""Clock port: where the core gets the time."""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Protocol


class Clock(Protocol):
    """The current time. The core never reads the system clock itself."""

    @abstractmethod
    def now(self) -> datetime:
        """The current moment as an aware UTC datetime, never going backwards."""
