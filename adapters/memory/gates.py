"""InMemoryGateStore: feature gates by name."""

from __future__ import annotations

from adapters.memory.switch import Switch
from core.domain.gates import Gate
from core.ports.gate_store import GateStore


class InMemoryGateStore(Switch, GateStore):
    """Gates by name (gates are frozen, so they are stored as given)."""

    def __init__(self) -> None:
        super().__init__()
        self._gates: dict[str, Gate] = {}

    def get(self, name: str) -> Gate | None:
        self.check()
        return self._gates.get(name)

    def put(self, gate: Gate) -> None:
        self.check()
        self._gates[gate.name] = gate

    def all(self) -> list[Gate]:
        self.check()
        return [self._gates[name] for name in sorted(self._gates)]
