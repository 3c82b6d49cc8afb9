"""Contract of Clock and IdGenerator: aware UTC time that never goes back, increasing ids."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from adapters.memory import FakeClock, SequentialIdGenerator
from adapters.system import SnowflakeIdGenerator, SystemClock
from core.domain import ids as layout
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator

WORKER_MASK = layout.MAX_WORKER << layout.SEQUENCE_BITS


@pytest.fixture(params=["memory", "system"])
def any_clock(request: pytest.FixtureRequest) -> Clock:
    return FakeClock() if request.param == "memory" else SystemClock()


@pytest.fixture(params=["memory", "system"])
def generator(request: pytest.FixtureRequest) -> tuple[IdGenerator, Clock]:
    clock: Clock = FakeClock() if request.param == "memory" else SystemClock()
    made = (
        SequentialIdGenerator(clock)
        if request.param == "memory"
        else (SnowflakeIdGenerator(clock, worker=0))
    )
    return made, clock


def test_now_is_an_aware_utc_datetime(any_clock: Clock) -> None:
    now = any_clock.now()
    assert now.utcoffset() == timedelta(0)


def test_now_never_goes_backwards(any_clock: Clock) -> None:
    readings = [any_clock.now() for _ in range(1000)]
    assert readings == sorted(readings)


def test_ids_strictly_increase(generator: tuple[IdGenerator, Clock]) -> None:
    made, _ = generator
    values = [made.next_id() for _ in range(2000)]
    assert all(a < b for a, b in zip(values, values[1:], strict=False))


def test_ids_are_valid_63_bit_numbers(generator: tuple[IdGenerator, Clock]) -> None:
    made, _ = generator
    assert all(layout.is_valid_id(made.next_id()) for _ in range(100))


def test_an_id_carries_the_time_it_was_made(generator: tuple[IdGenerator, Clock]) -> None:
    made, clock = generator
    before = clock.now()
    made_at = layout.time_of(made.next_id())
    assert before <= made_at <= clock.now() + timedelta(milliseconds=5)


def test_memory_clock_starts_at_a_fixed_moment() -> None:
    assert FakeClock().now() == datetime(2026, 1, 1, tzinfo=UTC)


def test_memory_clock_moves_only_when_told() -> None:
    clock = FakeClock()
    start = clock.now()
    assert clock.now() == start
    assert clock.advance(seconds=1.5) == start + timedelta(seconds=1.5)
    assert clock.set(start + timedelta(days=2)) == start + timedelta(days=2)
    assert clock.now() == start + timedelta(days=2)


def test_memory_clock_refuses_to_go_backwards() -> None:
    clock = FakeClock()
    with pytest.raises(ValueError):
        clock.advance(seconds=-1)
    with pytest.raises(ValueError):
        clock.set(clock.now() - timedelta(microseconds=1))


def test_memory_clock_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError):
        FakeClock().set(datetime(2030, 1, 1))


def test_memory_ids_are_deterministic() -> None:
    def run() -> list[int]:
        clock = FakeClock()
        made = SequentialIdGenerator(clock)
        out = [made.next_id(), made.next_id()]
        clock.advance(seconds=0.000003)
        return [*out, made.next_id()]

    assert run() == run()


def test_memory_ids_count_the_sequence_within_one_microsecond() -> None:
    clock = FakeClock()
    made = SequentialIdGenerator(clock)
    micros = layout.micros_of(clock.now())
    assert [made.next_id() for _ in range(3)] == [layout.compose(micros, 0, s) for s in range(3)]


def test_memory_ids_move_to_the_next_microsecond_when_the_sequence_overflows() -> None:
    clock = FakeClock()
    made = SequentialIdGenerator(clock)
    micros = layout.micros_of(clock.now())
    values = [made.next_id() for _ in range(layout.MAX_SEQUENCE + 3)]
    assert values[layout.MAX_SEQUENCE] == layout.compose(micros, 0, layout.MAX_SEQUENCE)
    assert values[-2:] == [layout.compose(micros + 1, 0, 0), layout.compose(micros + 1, 0, 1)]
    clock.advance(seconds=0.000001)  # the clock catches up with the borrowed microsecond
    assert made.next_id() == layout.compose(micros + 1, 0, 2)


def test_system_snowflake_ids_carry_their_worker() -> None:
    made = SnowflakeIdGenerator(SystemClock(), worker=11)
    assert (made.next_id() & WORKER_MASK) >> layout.SEQUENCE_BITS == 11


@pytest.mark.parametrize("worker", [-1, layout.MAX_WORKER + 1])
def test_system_snowflake_refuses_a_worker_out_of_range(worker: int) -> None:
    with pytest.raises(ValueError):
        SnowflakeIdGenerator(SystemClock(), worker=worker)


def test_system_snowflake_ids_stay_unique_and_increasing_across_threads() -> None:
    made = SnowflakeIdGenerator(SystemClock(), worker=3)
    per_thread: list[list[int]] = [[] for _ in range(4)]

    def work(out: list[int]) -> None:
        out.extend(made.next_id() for _ in range(3000))

    threads = [threading.Thread(target=work, args=(out,)) for out in per_thread]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    every = [value for out in per_thread for value in out]
    assert len(set(every)) == len(every)
    assert all(out == sorted(out) for out in per_thread)


def test_system_snowflake_keeps_increasing_on_a_clock_that_stands_still() -> None:
    made = SnowflakeIdGenerator(FakeClock(), worker=1)
    values = [made.next_id() for _ in range(3 * (layout.MAX_SEQUENCE + 1))]
    assert all(a < b for a, b in zip(values, values[1:], strict=False))
