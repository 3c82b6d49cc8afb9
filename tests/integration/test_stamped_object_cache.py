"""The embedded profile's object cache across processes sharing one stamp file, and its own
rules: the age limit, the bound, slot sharing, the file's size and an unusable file."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.cache.stamp_table import StampTable
from adapters.cache.stamped_object_cache import SharedStampObjectCache
from adapters.memory.clock import FakeClock
from core.domain.users import UserSummary
from tests.integration.stamp_peer import WAIT, Peer, lock_waiters
from tests.integration.support import wait_for

LONG_TTL = 3600


def summary(user_id: int, nickname: str | None = None) -> UserSummary:
    return UserSummary(id=user_id, username=f"user_{user_id}", nickname=nickname, avatar_url=None)


@pytest.fixture
def stamps_file(tmp_path: Path) -> Path:
    return tmp_path / "object-stamps"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def cache(stamps_file: Path, clock: FakeClock) -> Iterator[SharedStampObjectCache]:
    cache = SharedStampObjectCache(stamps_file, clock)
    yield cache
    cache.table.close()


@pytest.fixture
def peers(stamps_file: Path) -> Iterator[list[Peer]]:
    """Two other processes, each with its own cache on the same stamp file."""
    started = [Peer(stamps_file), Peer(stamps_file)]
    yield started
    for peer in started:
        peer.stop()


def test_a_delete_in_another_process_makes_this_process_miss(
    cache: SharedStampObjectCache, peers: list[Peer]
) -> None:
    old = summary(1, "old name")
    cache.fill(cache.lease(["user:1", "user:2"]), {"user:1": old, "user:2": summary(2)}, LONG_TTL)
    assert cache.get_many(["user:1"]) == {"user:1": old}
    peers[0].call("delete", ["user:1"])
    assert cache.get_many(["user:1", "user:2"]) == {"user:2": summary(2)}


def test_a_set_in_another_process_makes_this_process_miss_and_the_setter_hit(
    cache: SharedStampObjectCache, peers: list[Peer]
) -> None:
    old, new = summary(1, "old name"), summary(1, "new name")
    cache.fill(cache.lease(["user:1"]), {"user:1": old}, LONG_TTL)
    peers[0].call("set", {"user:1": new})
    assert cache.get_many(["user:1"]) == {}
    assert peers[0].get(["user:1"]) == {"user:1": new}


def test_a_write_here_makes_every_other_process_miss(
    cache: SharedStampObjectCache, peers: list[Peer]
) -> None:
    for peer in peers:
        peer.call("set", {"user:1": summary(1, "old name")})
    cache.delete_many(["user:1"])
    assert [peer.get(["user:1"]) for peer in peers] == [{}, {}]


def test_a_fill_racing_another_process_invalidation_keeps_nothing(
    cache: SharedStampObjectCache, peers: list[Peer]
) -> None:
    lease = cache.lease(["user:1"])  # then the store is read, before the peer's commit...
    peers[0].call("delete", ["user:1"])  # ...which commits and invalidates...
    cache.fill(lease, {"user:1": summary(1, "stale")}, LONG_TTL)  # ...then the stale fill
    assert cache.get_many(["user:1"]) == {}
    assert peers[1].get(["user:1"]) == {}


def test_two_bumps_at_once_in_two_processes_are_both_seen(
    cache: SharedStampObjectCache, peers: list[Peer], stamps_file: Path
) -> None:
    """The lost-bump race, forced: A holds the file lock having read the stamp; B's bump
    waits for it. A reader leasing between A's store and B's must not have a stale fill
    kept, which it would if B had read the stamp A read and stored the same value."""
    first, second = peers
    cache.delete_many(["user:1"])  # the file exists and the key has a stamp
    for peer in peers:
        assert peer.call("pause") == "ready"
    first.send("delete", ["user:1"])
    assert first.answer() == "paused"  # A: lock held, old stamp read
    second.send("delete", ["user:1"])
    wait_for(lambda: second.pid in lock_waiters(stamps_file), WAIT, "B waits for A's lock")
    first.send("go")
    assert (first.answer(), second.answer()) == ("done", "paused")  # B read A's stamp
    lease = cache.lease(["user:1"])  # a reader sees A's bump, reads the store...
    second.send("go")
    assert second.answer() == "done"  # ...and B's invalidation lands after that read
    cache.fill(lease, {"user:1": summary(1, "read before B's write")}, LONG_TTL)
    assert cache.get_many(["user:1"]) == {}


def test_an_entry_past_the_age_limit_misses_whatever_its_ttl(stamps_file: Path) -> None:
    """A writer that died between its commit and its bump leaves entries stale for at most
    the age limit."""
    clock = FakeClock()
    cache = SharedStampObjectCache(stamps_file, clock, max_age=300)
    cache.fill(cache.lease(["user:1"]), {"user:1": summary(1)}, LONG_TTL)
    cache.set_many({"user:2": summary(2)}, LONG_TTL)
    clock.advance(seconds=299.999)
    assert cache.get_many(["user:1", "user:2"]) == {"user:1": summary(1), "user:2": summary(2)}
    clock.advance(seconds=0.001)
    assert cache.get_many(["user:1", "user:2"]) == {}


def test_a_fill_counts_its_age_from_the_lease(stamps_file: Path) -> None:
    clock = FakeClock()
    cache = SharedStampObjectCache(stamps_file, clock, max_age=300)
    lease = cache.lease(["user:1"])
    clock.advance(seconds=200)
    cache.fill(lease, {"user:1": summary(1)}, LONG_TTL)
    clock.advance(seconds=100)
    assert cache.get_many(["user:1"]) == {}


def test_the_least_recently_used_entry_goes_first_past_the_bound(stamps_file: Path) -> None:
    cache = SharedStampObjectCache(stamps_file, FakeClock(), max_items=2)
    cache.set_many({"user:1": summary(1), "user:2": summary(2)}, LONG_TTL)
    cache.get_many(["user:1"])
    cache.set_many({"user:3": summary(3)}, LONG_TTL)
    assert cache.get_many(["user:1", "user:2", "user:3"]) == {
        "user:1": summary(1),
        "user:3": summary(3),
    }


def test_a_key_sharing_a_slot_with_a_written_key_only_misses(stamps_file: Path) -> None:
    table = StampTable(stamps_file, slots=1)  # every key shares the one slot
    cache = SharedStampObjectCache(stamps_file, FakeClock(), table=table)
    cache.set_many({"user:1": summary(1), "user:2": summary(2)}, LONG_TTL)
    cache.delete_many(["user:1"])
    assert cache.get_many(["user:1", "user:2"]) == {}
    cache.fill(cache.lease(["user:2"]), {"user:2": summary(2)}, LONG_TTL)
    assert cache.get_many(["user:2"]) == {"user:2": summary(2)}


def test_the_first_process_to_make_the_file_sets_the_slot_count_for_all(
    stamps_file: Path,
) -> None:
    small, large = StampTable(stamps_file, slots=16), StampTable(stamps_file, slots=1024)
    small.stamps()
    large.stamps()
    assert (small.count, large.count) == (16, 16)
    assert small.slot_of("user:1") == large.slot_of("user:1")
    small.bump([small.slot_of("user:1")])
    assert large.stamps()[large.slot_of("user:1")] == 1


def test_an_unusable_stamp_file_caches_nothing_and_warns(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = SharedStampObjectCache(tmp_path / "no such folder" / "stamps", FakeClock())
    with caplog.at_level(logging.WARNING, logger="chirp.cache"):
        cache.set_many({"user:1": summary(1)}, LONG_TTL)
        cache.fill(cache.lease(["user:2"]), {"user:2": summary(2)}, LONG_TTL)
        cache.delete_many(["user:1"])
        assert cache.get_many(["user:1", "user:2"]) == {}
    assert [r.message for r in caplog.records].count(
        "object stamps unavailable, caching nothing in this process: "
        f"[Errno 2] No such file or directory: '{tmp_path / 'no such folder' / 'stamps'}'"
    ) == 1
