"""Contract of IdempotencyKeys: a client key per user names its tweet for one hour."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.domain.errors import Conflict
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users

HOUR = timedelta(hours=1)


def test_a_recorded_key_names_its_tweet(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        uow.idempotency.put(user.id, "key-1", tweet.id, now)
        assert uow.idempotency.get(user.id, "key-1", now - HOUR) == tweet.id
        assert uow.idempotency.get(user.id, "key-1", now) == tweet.id


def test_a_key_recorded_before_not_before_gives_none(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        uow.idempotency.put(user.id, "key-1", tweet.id, now)
        assert uow.idempotency.get(user.id, "key-1", now + timedelta(microseconds=1)) is None


def test_an_unknown_key_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        assert uow.idempotency.get(user.id, "never-used", make.clock.now() - HOUR) is None


def test_keys_belong_to_one_user(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        alice, bob = add_users(uow, make, 2)
        (by_alice,) = add_tweets(uow, make, alice.id, 1)
        (by_bob,) = add_tweets(uow, make, bob.id, 1)
        uow.idempotency.put(alice.id, "same-key", by_alice.id, now)
        assert uow.idempotency.get(bob.id, "same-key", now - HOUR) is None
        uow.idempotency.put(bob.id, "same-key", by_bob.id, now)
        assert uow.idempotency.get(bob.id, "same-key", now - HOUR) == by_bob.id
        assert uow.idempotency.get(alice.id, "same-key", now - HOUR) == by_alice.id


def test_recording_a_live_key_again_raises_conflict(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        first, second = add_tweets(uow, make, user.id, 2)
        uow.idempotency.put(user.id, "key-1", first.id, now)
        uow.commit()
    with uow, pytest.raises(Conflict):
        uow.idempotency.put(user.id, "key-1", second.id, now + timedelta(minutes=1))
    with uow:
        assert uow.idempotency.get(user.id, "key-1", now - HOUR) == first.id


def test_an_expired_key_is_replaced(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    later = now + 2 * HOUR
    with uow:
        (user,) = add_users(uow, make, 1)
        first, second = add_tweets(uow, make, user.id, 2)
        uow.idempotency.put(user.id, "key-1", first.id, now)
        uow.idempotency.put(user.id, "key-1", second.id, later)
        assert uow.idempotency.get(user.id, "key-1", later - HOUR) == second.id
