"""Contract of ObjectCache: domain objects by key, in bulk, filled under leases, stored as
data (JSON) so that anything unreadable under a key is a miss."""

from __future__ import annotations

import json
import pickle
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.cache.clients import make_memcached
from adapters.cache.memcached_object_cache import MemcachedObjectCache
from adapters.cache.stamped_object_cache import SharedStampObjectCache
from adapters.memory import FakeClock, InMemoryObjectCache
from adapters.memory.object_cache import LEASE_SECONDS
from core.domain.users import UserSummary
from core.ports.object_cache import ObjectCache
from tests.contract import cache_backends
from tests.contract.builders import Maker
from tests.contract.cache_backends import memcached_address
from tests.contract.conftest import OBJECT_CACHE_BACKENDS

LONG_TTL = 600
ran: list[str] = []


@pytest.fixture(params=[*OBJECT_CACHE_BACKENDS, "stamped"])
def object_cache(request: pytest.FixtureRequest, clock: FakeClock, tmp_path: Path) -> ObjectCache:
    """conftest's backends, and "stamped": the embedded profile's per-process cache with
    its stamp file in a fresh folder."""
    if request.param == "memory":
        return InMemoryObjectCache(clock)
    if request.param == "stamped":
        return cache_backends.make_stamped_object_cache(clock, tmp_path)
    return cache_backends.make_memcached_object_cache()


def summary_of(make: Maker, nickname: str | None = None) -> UserSummary:
    """A fresh user's summary, the user shape the services cache."""
    user = make.user()
    avatar = f"https://media.example.com/avatars/{user.id}.png" if nickname else None
    return UserSummary(id=user.id, username=user.username, nickname=nickname, avatar_url=avatar)


def write_raw(cache: ObjectCache, key: str, raw: bytes) -> None:
    """Leave `raw` under `key` as a foreign writer (or older chirp) would: for Memcached,
    behind the key's current stamp, so only the value itself can make the read miss."""
    if isinstance(cache, InMemoryObjectCache | SharedStampObjectCache):
        cache.write_raw(key, raw, LONG_TTL)
        return
    assert isinstance(cache, MemcachedObjectCache)
    value_key, stamp_key = cache.item_keys(key)
    client = make_memcached(*memcached_address())
    try:
        stamp = client.get(stamp_key)
        assert stamp is not None, "write the key through the cache first"
        client.set(value_key, stamp + raw, expire=LONG_TTL)
    finally:
        client.close()


def record_that_it_ran(what: str) -> str:
    ran.append(what)
    return what


class RunsCodeWhenUnpickled:
    """What an attacker with write access to Memcached would store for a pickle reader."""

    def __reduce__(self) -> tuple[Callable[[str], str], tuple[str]]:
        return record_that_it_ran, ("attacker's code",)


def test_cached_objects_read_back_equal(object_cache: ObjectCache, make: Maker) -> None:
    user = summary_of(make, "Alice")
    tweet = make.tweet(user.id, photos=2)
    object_cache.set_many({"user:1": user, "tweet:1": tweet}, LONG_TTL)
    assert object_cache.get_many(["user:1", "tweet:1"]) == {"user:1": user, "tweet:1": tweet}


def test_every_cached_type_reads_back_equal_with_every_field_set(
    object_cache: ObjectCache, make: Maker
) -> None:
    author = summary_of(make, "Ünïcode nick ✓")
    tweet = make.tweet(author.id, content="  words with spaces  ", photos=9)
    tweet.edit("edited, with ünïcode ✓", tweet.created_at + timedelta(microseconds=1))
    tweet = replace(tweet, likes_count=3, comments_count=2)
    values: dict[str, object] = {
        "tweet": tweet,
        "plain tweet": make.tweet(author.id),
        "user": author,
        "user without profile": summary_of(make),
        "celebrities": [make.new_id(), make.new_id()],
        "no celebrities": [],
    }
    object_cache.set_many(values, LONG_TTL)
    assert object_cache.get_many(list(values)) == values
    lease = object_cache.lease(list(values))
    object_cache.fill(lease, values, LONG_TTL)
    assert object_cache.get_many(list(values)) == values


def test_a_garbage_value_under_a_key_reads_as_a_miss(
    object_cache: ObjectCache, make: Maker
) -> None:
    tweet = make.tweet(make.new_id())
    object_cache.set_many({"tweet:1": tweet, "tweet:2": tweet}, LONG_TTL)
    assert object_cache.get_many(["tweet:1"]) == {"tweet:1": tweet}
    write_raw(object_cache, "tweet:1", b"\x00\xffnot json at all{")
    assert object_cache.get_many(["tweet:1", "tweet:2"]) == {"tweet:2": tweet}


def test_json_of_an_older_version_or_an_unknown_type_reads_as_a_miss(
    object_cache: ObjectCache, make: Maker
) -> None:
    user = summary_of(make)
    keys = ["user:old", "user:unknown", "user:shape"]
    object_cache.set_many(dict.fromkeys(keys, user), LONG_TTL)
    fields = {"id": user.id, "username": user.username, "nickname": None, "avatar_url": None}
    write_raw(object_cache, "user:old", b'{"type":"user_summary","version":0,"value":{}}')
    write_raw(object_cache, "user:unknown", b'{"type":"account","version":1,"value":{}}')
    shape = {"type": "user_summary", "version": 1, "value": {**fields, "email": "a@b.c"}}
    write_raw(object_cache, "user:shape", json.dumps(shape).encode())
    assert object_cache.get_many(keys) == {}


def test_a_value_written_by_the_old_pickling_cache_is_a_miss_and_runs_nothing(
    object_cache: ObjectCache, make: Maker
) -> None:
    tweet = make.tweet(make.new_id())
    object_cache.set_many({"tweet:old": tweet, "tweet:evil": tweet}, LONG_TTL)
    write_raw(object_cache, "tweet:old", pickle.dumps(tweet, protocol=5))
    write_raw(object_cache, "tweet:evil", pickle.dumps(RunsCodeWhenUnpickled(), protocol=5))
    ran.clear()
    assert object_cache.get_many(["tweet:old", "tweet:evil"]) == {}
    assert ran == []
    object_cache.fill(object_cache.lease(["tweet:old"]), {"tweet:old": tweet}, LONG_TTL)
    assert object_cache.get_many(["tweet:old"]) == {"tweet:old": tweet}


def test_missing_keys_are_absent_from_the_result(object_cache: ObjectCache, make: Maker) -> None:
    user = summary_of(make)
    object_cache.set_many({"user:1": user}, LONG_TTL)
    assert object_cache.get_many(["user:2", "user:1", "user:3"]) == {"user:1": user}


def test_asking_for_no_keys_gives_nothing(object_cache: ObjectCache) -> None:
    assert object_cache.get_many([]) == {}


def test_setting_a_key_again_replaces_the_object(object_cache: ObjectCache, make: Maker) -> None:
    old, new = summary_of(make), summary_of(make)
    object_cache.set_many({"user:1": old}, LONG_TTL)
    object_cache.set_many({"user:1": new}, LONG_TTL)
    assert object_cache.get_many(["user:1"]) == {"user:1": new}


def test_deleted_keys_miss_and_missing_ones_are_fine(
    object_cache: ObjectCache, make: Maker
) -> None:
    a, b = summary_of(make), summary_of(make)
    object_cache.set_many({"user:a": a, "user:b": b}, LONG_TTL)
    object_cache.delete_many(["user:a", "user:never"])
    object_cache.delete_many([])
    assert object_cache.get_many(["user:a", "user:b"]) == {"user:b": b}


def test_changing_a_returned_object_does_not_change_the_cache(
    object_cache: ObjectCache, make: Maker
) -> None:
    tweet = make.tweet(make.new_id(), content="cached words")
    object_cache.set_many({"tweet:1": tweet}, LONG_TTL)
    tweet.likes_count = 5
    returned = object_cache.get_many(["tweet:1"])["tweet:1"]
    returned.likes_count = 7  # type: ignore[attr-defined]
    again = object_cache.get_many(["tweet:1"])["tweet:1"]
    assert again.likes_count == 0  # type: ignore[attr-defined]


def test_an_object_is_gone_once_its_ttl_has_passed(
    object_cache: ObjectCache, make: Maker, pass_time: Callable[[float], None]
) -> None:
    short, long_lived = summary_of(make), summary_of(make)
    object_cache.set_many({"user:short": short}, 1)
    object_cache.set_many({"user:long": long_lived}, LONG_TTL)
    pass_time(1)
    assert object_cache.get_many(["user:short", "user:long"]) == {"user:long": long_lived}


def test_a_fill_caches_what_the_lease_covers_and_nothing_else(
    object_cache: ObjectCache, make: Maker
) -> None:
    a, b = summary_of(make), summary_of(make)
    lease = object_cache.lease(["user:a"])
    object_cache.fill(lease, {"user:a": a, "user:b": b}, LONG_TTL)
    assert object_cache.get_many(["user:a", "user:b"]) == {"user:a": a}


def test_an_invalidation_between_lease_and_fill_wins(
    object_cache: ObjectCache, make: Maker
) -> None:
    tweet = make.tweet(make.new_id())
    lease = object_cache.lease(["tweet:1", "tweet:2"])  # then the store is read...
    object_cache.delete_many(["tweet:1"])  # ...a like commits and invalidates...
    object_cache.fill(lease, {"tweet:1": tweet, "tweet:2": tweet}, LONG_TTL)  # ...stale fill
    assert object_cache.get_many(["tweet:1", "tweet:2"]) == {"tweet:2": tweet}


def test_a_write_between_lease_and_fill_wins(object_cache: ObjectCache, make: Maker) -> None:
    old, new = summary_of(make), summary_of(make)
    lease = object_cache.lease(["user:1"])
    object_cache.set_many({"user:1": new}, LONG_TTL)
    object_cache.fill(lease, {"user:1": old}, LONG_TTL)
    assert object_cache.get_many(["user:1"]).get("user:1") in (new, None)


def test_an_invalidation_before_the_lease_does_not_stop_the_fill(
    object_cache: ObjectCache, make: Maker
) -> None:
    user = summary_of(make)
    object_cache.set_many({"user:1": summary_of(make)}, LONG_TTL)
    object_cache.delete_many(["user:1"])
    lease = object_cache.lease(["user:1"])
    object_cache.fill(lease, {"user:1": user}, LONG_TTL)
    assert object_cache.get_many(["user:1"]) == {"user:1": user}


def test_leasing_and_filling_nothing_is_harmless(object_cache: ObjectCache) -> None:
    object_cache.fill(object_cache.lease([]), {}, LONG_TTL)
    assert object_cache.get_many(["user:1"]) == {}


def test_memory_cache_switched_off_misses_and_drops_writes(make: Maker) -> None:
    cache = InMemoryObjectCache(FakeClock())
    user = summary_of(make)
    cache.set_many({"user:1": user}, LONG_TTL)
    cache.available = False
    cache.set_many({"user:2": user}, LONG_TTL)
    cache.fill(cache.lease(["user:3"]), {"user:3": user}, LONG_TTL)
    cache.delete_many(["user:1"])
    assert cache.get_many(["user:1", "user:2", "user:3"]) == {}
    cache.available = True
    assert cache.get_many(["user:1", "user:2", "user:3"]) == {"user:1": user}


def test_memory_cache_keeps_an_object_until_the_last_moment_of_its_ttl(make: Maker) -> None:
    clock = FakeClock()
    cache = InMemoryObjectCache(clock)
    user = summary_of(make)
    cache.set_many({"user:1": user}, 10)
    clock.advance(seconds=9.999)
    assert cache.get_many(["user:1"]) == {"user:1": user}
    clock.advance(seconds=0.001)
    assert cache.get_many(["user:1"]) == {}


def test_memory_cache_drops_a_fill_whose_lease_lapsed(make: Maker) -> None:
    clock = FakeClock()
    cache = InMemoryObjectCache(clock)
    lease = cache.lease(["user:1"])
    clock.advance(seconds=LEASE_SECONDS)
    cache.fill(lease, {"user:1": summary_of(make)}, LONG_TTL)
    assert cache.get_many(["user:1"]) == {}


def test_memory_cache_forgets_the_least_recently_used_object_past_its_bound(make: Maker) -> None:
    cache = InMemoryObjectCache(FakeClock(), max_items=2)
    users = {f"user:{n}": summary_of(make) for n in (1, 2, 3)}
    cache.set_many({"user:1": users["user:1"], "user:2": users["user:2"]}, LONG_TTL)
    cache.get_many(["user:1"])
    cache.set_many({"user:3": users["user:3"]}, LONG_TTL)
    assert cache.get_many(list(users)) == {k: users[k] for k in ("user:1", "user:3")}
