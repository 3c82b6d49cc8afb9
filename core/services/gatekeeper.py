"""GateKeeper: feature gates for gray release and instant roll-back."""

from __future__ import annotations

from collections.abc import Iterable

from core.domain.gates import Gate
from core.ports.gate_store import GateStore


class GateKeeper:
    """Named gates.

    - A gate is open for a user on the deny list never, on the allow list always, otherwise
      when the user's stable bucket (0-99, fixed per user and gate) is below the percent.
    - Raising the percent only adds users; lowering it to 0 rolls back at once.
    - A gate never set is closed. A gate at 0% with someone on its allow list is still open
      for someone (`is_open_for_anyone`): roll-back keeps the lists.
    """

    def __init__(self, store: GateStore) -> None:
        self._store = store

    def is_open(self, name: str, user_id: int) -> bool:
        gate = self._store.get(name)
        return gate is not None and gate.is_open_for(user_id)

    def is_open_for_anyone(self, name: str) -> bool:
        """Whether some user may be inside: a percent above 0 or someone on the allow list."""
        gate = self._store.get(name)
        return gate is not None and (gate.percent > 0 or bool(gate.allow))

    def set_gate(
        self,
        name: str,
        percent: int,
        allow: Iterable[int] | None = None,
        deny: Iterable[int] | None = None,
    ) -> Gate:
        """Create or change a gate; lists left out keep their current members."""
        current = self._store.get(name)
        gate = Gate(
            name=name,
            percent=percent,
            allow=frozenset(allow)
            if allow is not None
            else (current.allow if current else frozenset()),
            deny=frozenset(deny)
            if deny is not None
            else (current.deny if current else frozenset()),
        )
        self._store.put(gate)
        return gate

    def roll_back(self, name: str) -> Gate:
        """Close a gate for everyone not on its allow list, at once."""
        return self.set_gate(name, 0)

    def gates(self) -> list[Gate]:
        return self._store.all()
