"""The JSON shape of a gate's settings, shared by the Redis and the file gate stores."""

from __future__ import annotations

from typing import Any

from core.domain.gates import Gate


def gate_settings(gate: Gate) -> dict[str, Any]:
    """A gate's settings as JSON-ready data (the name is stored as the key)."""
    return {"percent": gate.percent, "allow": sorted(gate.allow), "deny": sorted(gate.deny)}


def gate_from_settings(name: str, body: dict[str, Any]) -> Gate:
    """The gate named `name` with the settings `gate_settings` made."""
    return Gate(
        name=name,
        percent=int(body.get("percent", 0)),
        allow=frozenset(int(i) for i in body.get("allow", ())),
        deny=frozenset(int(i) for i in body.get("deny", ())),
    )
