"""Contract of ProfileRepository: nicknames and avatars keyed by user id."""

from __future__ import annotations

from datetime import timedelta

from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_users


def test_an_added_profile_reads_back_equal(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        profile = make.profile(user, nickname="Alice")
        uow.profiles.add(profile)
        assert uow.profiles.get(user.id) == profile


def test_a_missing_profile_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        assert uow.profiles.get(user.id) is None


def test_get_many_keeps_the_requested_order_and_skips_missing(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b, c = add_users(uow, make, 3)
        for user in (a, c):
            uow.profiles.add(make.profile(user))
        found = uow.profiles.get_many([c.id, b.id, a.id])
        assert [p.user_id for p in found] == [c.id, a.id]


def test_get_many_of_nothing_is_empty(uow: UnitOfWork) -> None:
    with uow:
        assert uow.profiles.get_many([]) == []


def test_update_saves_nickname_avatar_and_updated_at(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        profile = make.profile(user)
        uow.profiles.add(profile)
        later = make.clock.advance(seconds=60.5)
        profile.rename("New Name", later)
        profile.change_avatar("avatars/1.png", later + timedelta(microseconds=7))
        uow.profiles.update(profile)
        assert uow.profiles.get(user.id) == profile


def test_clearing_a_nickname_stores_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        profile = make.profile(user, nickname="Someone")
        uow.profiles.add(profile)
        profile.rename(None, make.clock.advance(seconds=1))
        uow.profiles.update(profile)
        stored = uow.profiles.get(user.id)
        assert stored is not None and stored.nickname is None


def test_changing_a_returned_profile_does_not_change_the_store(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        uow.profiles.add(make.profile(user, nickname="Before"))
        returned = uow.profiles.get(user.id)
        assert returned is not None
        returned.rename("After", make.clock.now())
        stored = uow.profiles.get(user.id)
        assert stored is not None and stored.nickname == "Before"


def test_named_avatar_keys_follow_the_current_avatar_exactly(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b = add_users(uow, make, 2)
        for user in (a, b):
            uow.profiles.add(make.profile(user))
        profile = uow.profiles.get(a.id)
        assert profile is not None
        profile.change_avatar("avatars/1/old.png", make.clock.advance(seconds=1))
        uow.profiles.update(profile)
        profile.change_avatar("avatars/1/new.png", make.clock.advance(seconds=1))
        uow.profiles.update(profile)
        asked = ["avatars/1/old.png", "avatars/1/new.png", "AVATARS/1/NEW.PNG", "avatars/9.png"]
        assert uow.profiles.named_avatar_keys(asked) == {"avatars/1/new.png"}
        assert uow.profiles.named_avatar_keys(["AVATARS/1/NEW.PNG"]) == set()
        assert uow.profiles.named_avatar_keys([]) == set()
