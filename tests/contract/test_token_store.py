"""Contract of TokenStore: session token hashes that expire and can be revoked."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_users

DAY = timedelta(days=1)


def hashed(token: str) -> str:
    """A token hash shaped like the real ones (sha256 hex)."""
    return hashlib.sha256(token.encode()).hexdigest()


def test_a_live_token_names_its_user(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        uow.tokens.add(hashed("hash-a"), user.id, now + DAY)
        assert uow.tokens.user_for(hashed("hash-a"), now) == user.id


def test_an_expired_token_gives_none(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        uow.tokens.add(hashed("hash-a"), user.id, now + DAY)
        assert uow.tokens.user_for(hashed("hash-a"), now + DAY + timedelta(seconds=1)) is None


def test_an_unknown_token_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        assert uow.tokens.user_for(hashed("never-issued"), make.clock.now()) is None


def test_a_removed_token_stops_working(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        uow.tokens.add(hashed("hash-a"), user.id, now + DAY)
        uow.tokens.add(hashed("hash-b"), user.id, now + DAY)
        uow.tokens.remove(hashed("hash-a"))
        assert uow.tokens.user_for(hashed("hash-a"), now) is None
        assert uow.tokens.user_for(hashed("hash-b"), now) == user.id


def test_removing_an_unknown_token_is_harmless(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        uow.tokens.remove(hashed("never-issued"))
        uow.tokens.remove(hashed("never-issued"))
        assert uow.tokens.user_for(hashed("never-issued"), make.clock.now()) is None


def test_remove_all_for_forgets_every_token_of_that_user_only(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        alice, bob = add_users(uow, make, 2)
        uow.tokens.add(hashed("alice-1"), alice.id, now + DAY)
        uow.tokens.add(hashed("alice-2"), alice.id, now + DAY)
        uow.tokens.add(hashed("bob-1"), bob.id, now + DAY)
        uow.tokens.remove_all_for(alice.id)
        uow.tokens.remove_all_for(alice.id)
        assert uow.tokens.user_for(hashed("alice-1"), now) is None
        assert uow.tokens.user_for(hashed("alice-2"), now) is None
        assert uow.tokens.user_for(hashed("bob-1"), now) == bob.id


def test_purging_forgets_expired_tokens_and_keeps_live_ones(uow: UnitOfWork, make: Maker) -> None:
    now = make.clock.now()
    with uow:
        (user,) = add_users(uow, make, 1)
        uow.tokens.add(hashed("old-1"), user.id, now - DAY)
        uow.tokens.add(hashed("old-2"), user.id, now)
        uow.tokens.add(hashed("live"), user.id, now + DAY)
        assert uow.tokens.purge_expired(now) == 2
        assert uow.tokens.user_for(hashed("live"), now) == user.id
        assert uow.tokens.purge_expired(now) == 0
        uow.tokens.add(hashed("old-1"), user.id, now + DAY)  # its key is free again
        assert uow.tokens.user_for(hashed("old-1"), now) == user.id
