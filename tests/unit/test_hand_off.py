"""HandOff: what a request hands over reaches its step on another thread, in order, in batches."""

from __future__ import annotations

import threading

import pytest

from adapters.system.background import HandOff, handing_off


def test_handed_items_reach_the_step_in_order_and_close_waits_for_them() -> None:
    seen: list[int] = []
    gate = threading.Event()

    def step(batch: list[int]) -> None:
        gate.wait()  # holds the thread, so later submissions pile up into one batch
        seen.extend(batch)

    hand_off = HandOff("test", step, limit=100, batch=10)
    hand_off.submit([1])
    hand_off.submit([2, 3])
    hand_off.submit([4])
    gate.set()
    hand_off.close(timeout=10)
    assert seen == [1, 2, 3, 4]


def test_past_its_limit_a_submitter_runs_the_step_itself() -> None:
    threads: list[str] = []
    gate = threading.Event()

    def step(batch: list[int]) -> None:
        threads.append(threading.current_thread().name)
        if threading.current_thread().name == "chirp-test":
            gate.wait()

    hand_off = HandOff("test", step, limit=2, batch=1)
    hand_off.submit([1])  # taken by the thread, which now waits on the gate
    hand_off.submit([2, 3])  # two waiting: the limit
    hand_off.submit([4])  # no room: run here, at once (back-pressure)
    assert threads[-1] == threading.current_thread().name
    gate.set()
    hand_off.close(timeout=10)
    assert threads.count("chirp-test") == 3


def test_a_failing_step_is_logged_and_the_next_items_still_go(
    caplog: pytest.LogCaptureFixture,
) -> None:
    seen: list[int] = []

    def step(batch: list[int]) -> None:
        if 1 in batch:
            raise RuntimeError("broker client bug")
        seen.extend(batch)

    resource = handing_off("test", step, batch=1)
    submit = next(resource)
    submit([1])
    submit([2])
    resource.close()  # what shutdown_resources does: waits for what was handed over
    assert "hand-off step failed; 1 items dropped" in caplog.text
    assert seen == [2]


def test_after_close_a_submission_runs_at_once_in_the_submitter() -> None:
    seen: list[tuple[str, list[int]]] = []
    hand_off: HandOff[int] = HandOff(
        "test", lambda b: seen.append((threading.current_thread().name, b)), 10, 10
    )
    hand_off.close(timeout=10)
    hand_off.submit([5])
    assert seen == [(threading.current_thread().name, [5])]
