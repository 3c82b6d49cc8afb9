"""Each process makes ids with a worker number of its own (adapters/system/id_slots.py)."""

from __future__ import annotations

import multiprocessing
from multiprocessing.connection import Connection
from pathlib import Path

import pytest

from adapters.memory.clock import FakeClock
from adapters.system.id_slots import claim_worker, holding_worker
from adapters.system.ids import SnowflakeIdGenerator

GUARD_SECONDS = 30  # against a hang, not a measurement
SPAWN = multiprocessing.get_context("spawn")
FORK = multiprocessing.get_context("fork")


def claim_and_hold(folder: Path, first: int, count: int, pipe: Connection) -> None:
    """In another process: claim, say which number (or the error), hold until told."""
    try:
        pipe.send(claim_worker(folder, first, count))
    except RuntimeError as exc:
        pipe.send(str(exc))
    pipe.recv()


def ids_at_one_moment(folder: Path, pipe: Connection) -> None:
    """In another process: 300 ids on a clock standing still, with the claimed number,
    which it holds until told (a process that ended would free it for the other one)."""
    made = SnowflakeIdGenerator(FakeClock(), worker=claim_worker(folder, 0, 16))
    pipe.send([made.next_id() for _ in range(300)])
    pipe.recv()


class Holder:
    """A process holding a claim until `release`."""

    def __init__(self, folder: Path, first: int = 0, count: int = 16, context=SPAWN) -> None:  # type: ignore[no-untyped-def]
        self.pipe, theirs = context.Pipe()
        self.process = context.Process(target=claim_and_hold, args=(folder, first, count, theirs))
        self.process.start()
        assert self.pipe.poll(GUARD_SECONDS), "the process never claimed"
        self.claimed = self.pipe.recv()

    def release(self) -> None:
        self.pipe.send("done")
        self.process.join(GUARD_SECONDS)


def test_processes_of_one_folder_claim_different_numbers_and_a_dead_ones_is_free_again(
    tmp_path: Path,
) -> None:
    first, second = Holder(tmp_path), Holder(tmp_path)
    assert {first.claimed, second.claimed} == {0, 1}
    first.release()
    third = Holder(tmp_path)
    assert third.claimed == first.claimed
    second.release()
    third.release()


def test_two_processes_make_no_common_id_even_in_the_same_microsecond(tmp_path: Path) -> None:
    pipes = []
    for _ in range(2):
        ours, theirs = SPAWN.Pipe()
        SPAWN.Process(target=ids_at_one_moment, args=(tmp_path, theirs)).start()
        pipes.append(ours)
    made = []
    for pipe in pipes:
        assert pipe.poll(GUARD_SECONDS)
        made.append(set(pipe.recv()))
    for pipe in pipes:
        pipe.send("done")
    assert len(made[0]) == len(made[1]) == 300
    assert not made[0] & made[1]  # with one shared number, all 300 were the same


def test_a_forked_child_claims_a_number_of_its_own_not_its_parents(tmp_path: Path) -> None:
    ours = claim_worker(tmp_path, 0, 16)
    child = Holder(tmp_path, context=FORK)
    assert child.claimed != ours
    child.release()
    assert claim_worker(tmp_path, 0, 16) == ours  # one claim per process and folder


def test_a_claim_fails_loudly_when_the_machines_range_is_all_held(tmp_path: Path) -> None:
    holder = Holder(tmp_path, first=5, count=1)
    assert holder.claimed == 5
    refused = Holder(tmp_path, first=5, count=1)
    assert isinstance(refused.claimed, str) and "CHIRP_WORKER_ID_COUNT" in refused.claimed
    refused.release()
    holder.release()


@pytest.mark.parametrize(("first", "count"), [(-1, 2), (15, 2), (0, 0)])
def test_a_range_outside_the_worker_bits_is_refused(tmp_path: Path, first: int, count: int) -> None:
    with pytest.raises(ValueError):
        claim_worker(tmp_path, first, count)


def test_the_number_is_let_go_when_the_last_container_of_the_process_shuts_down(
    tmp_path: Path,
) -> None:
    first, second = holding_worker(tmp_path, 0, 1), holding_worker(tmp_path, 0, 1)
    assert next(first) == next(second) == 0  # two containers of one process
    first.close()
    refused = Holder(tmp_path, first=0, count=1)
    assert isinstance(refused.claimed, str)  # still held, for the second
    refused.release()
    second.close()
    again = Holder(tmp_path, first=0, count=1)
    assert again.claimed == 0
    again.release()
