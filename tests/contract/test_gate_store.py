"""Contract of GateStore: feature gates by name, replaced whole."""

from __future__ import annotations

import pytest

from adapters.memory import InMemoryGateStore
from core.domain.errors import Unavailable
from core.domain.gates import Gate
from core.ports.gate_store import GateStore


def test_a_gate_never_set_gives_none(gate_store: GateStore) -> None:
    assert gate_store.get("hbase_feeds") is None


def test_a_put_gate_reads_back_equal(gate_store: GateStore) -> None:
    gate = Gate(name="hbase_feeds", percent=25, allow=frozenset({1, 2**40}), deny=frozenset({3}))
    gate_store.put(gate)
    assert gate_store.get("hbase_feeds") == gate


def test_putting_a_gate_again_replaces_it_whole(gate_store: GateStore) -> None:
    gate_store.put(Gate(name="g", percent=10, allow=frozenset({1}), deny=frozenset({2})))
    replacement = Gate(name="g", percent=100)
    gate_store.put(replacement)
    assert gate_store.get("g") == replacement


def test_all_lists_every_gate_by_name(gate_store: GateStore) -> None:
    gates = [Gate(name=n, percent=p) for n, p in (("zeta", 5), ("alpha", 0), ("mid", 100))]
    for gate in gates:
        gate_store.put(gate)
    assert gate_store.all() == sorted(gates, key=lambda g: g.name)


def test_all_of_no_gates_is_empty(gate_store: GateStore) -> None:
    assert gate_store.all() == []


def test_memory_gate_store_switched_off_raises_unavailable() -> None:
    store = InMemoryGateStore()
    store.available = False
    with pytest.raises(Unavailable):
        store.get("g")
    with pytest.raises(Unavailable):
        store.put(Gate(name="g"))
