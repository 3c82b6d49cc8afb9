"""GateStore port: feature gate settings."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol

from core.domain.gates import Gate


class GateStore(Protocol):
    """Gates by name. Not part of the unit of work. A down store raises Unavailable."""

    @abstractmethod
    def get(self, name: str) -> Gate | None:
        """The gate, or None when it was never set (a missing gate is closed)."""

    @abstractmethod
    def put(self, gate: Gate) -> None:
        """Create or replace a gate; effective for the next read."""

    @abstractmethod
    def all(self) -> list[Gate]:
        """Every gate, by name."""
