"""RedisGateStore: feature gates as JSON values in one Redis hash."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

import redis

from adapters.cache.gate_codec import gate_from_settings, gate_settings
from core.domain.errors import Unavailable
from core.domain.gates import Gate
from core.ports.gate_store import GateStore


@contextmanager
def _unavailable_when_down() -> Iterator[None]:
    # Gates decide what users see, so a down store is reported, never guessed around.
    try:
        yield
    except redis.RedisError as exc:
        raise Unavailable(f"redis gate store is unavailable: {exc}") from exc


class RedisGateStore(GateStore):
    """All gates in one Redis hash, field = gate name, value = its JSON settings."""

    def __init__(self, client: redis.Redis, prefix: str = "chirp:") -> None:
        self._client = client
        self._hash = prefix + "gates"

    def get(self, name: str) -> Gate | None:
        with _unavailable_when_down():
            raw = cast(bytes | None, self._client.hget(self._hash, name))
        return None if raw is None else gate_from_settings(name, json.loads(raw))

    def put(self, gate: Gate) -> None:
        value = json.dumps(gate_settings(gate), separators=(",", ":"))
        with _unavailable_when_down():
            self._client.hset(self._hash, gate.name, value)

    def all(self) -> list[Gate]:
        with _unavailable_when_down():
            raw = cast(dict[bytes, bytes], self._client.hgetall(self._hash))
        gates = [gate_from_settings(name.decode(), json.loads(body)) for name, body in raw.items()]
        return sorted(gates, key=lambda gate: gate.name)
