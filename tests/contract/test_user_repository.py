"""Contract of UserRepository: accounts by id and username, unique names, celebrity marks."""

from __future__ import annotations

import pytest

from core.domain.errors import Conflict
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_users
from tests.contract.windows import WindowCase, window_cases


def test_an_added_user_reads_back_equal_by_id(uow: UnitOfWork, make: Maker) -> None:
    user = make.user()
    with uow:
        uow.users.add(user)
        assert uow.users.get(user.id) == user


def test_a_user_committed_in_one_block_is_there_in_the_next(uow: UnitOfWork, make: Maker) -> None:
    user = make.user()
    with uow:
        uow.users.add(user)
        uow.commit()
    with uow:
        assert uow.users.get(user.id) == user


def test_an_unknown_user_id_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        assert uow.users.get(make.new_id()) is None


def test_a_user_is_found_by_username(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        assert uow.users.get_by_username(bob.username) == bob
        assert uow.users.get_by_username("nobody_here") is None


def test_a_taken_username_raises_conflict_naming_username(uow: UnitOfWork, make: Maker) -> None:
    first = make.user(username="taken_name")
    with uow:
        uow.users.add(first)
        uow.commit()
    with uow, pytest.raises(Conflict) as caught:
        uow.users.add(make.user(username="taken_name"))
    assert "username" in caught.value.errors
    with uow:
        assert uow.users.get_by_username("taken_name") == first


def test_a_taken_email_raises_conflict_naming_email(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        uow.users.add(make.user(email="same@example.com"))
        uow.commit()
    with uow, pytest.raises(Conflict) as caught:
        uow.users.add(make.user(email="same@example.com"))
    assert "email" in caught.value.errors


def test_get_many_keeps_the_requested_order_skips_missing_and_repeats(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        a, b, c = add_users(uow, make, 3)
        found = uow.users.get_many([c.id, make.new_id(), a.id, c.id])
        assert found == [c, a]


def test_get_many_of_nothing_is_empty(uow: UnitOfWork) -> None:
    with uow:
        assert uow.users.get_many([]) == []


def test_update_saves_the_active_and_admin_flags(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        user.deactivate()
        user.is_admin = True
        uow.users.update(user)
        stored = uow.users.get(user.id)
        assert stored is not None
        assert (stored.is_active, stored.is_admin) == (False, True)


def test_set_password_hash_replaces_only_that_users_hash(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        first, second = add_users(uow, make, 2)
        uow.users.set_password_hash(first.id, "scrypt$131072$8$1$c2FsdA==$ZGlnZXN0")
        uow.users.set_password_hash(999_999_999, "ignored")  # unknown: no error, no row
        stored, other = uow.users.get(first.id), uow.users.get(second.id)
        assert stored is not None and other is not None
        assert stored.password_hash == "scrypt$131072$8$1$c2FsdA==$ZGlnZXN0"
        assert other.password_hash == second.password_hash
        assert uow.users.get(999_999_999) is None


def test_changing_a_returned_user_does_not_change_the_store(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        returned = uow.users.get(user.id)
        assert returned is not None
        returned.deactivate()
        user.is_admin = True
        stored = uow.users.get(user.id)
        assert stored is not None
        assert (stored.is_active, stored.is_admin) == (True, False)


@window_cases()
def test_list_all_pages_users_by_id(uow: UnitOfWork, make: Maker, case: WindowCase) -> None:
    with uow:
        ids = [u.id for u in add_users(uow, make, 5)]
        listed = uow.users.list_all(case.window(ids))
        assert [u.id for u in listed] == case.expected(ids)


def test_celebrity_ids_lists_marked_users_in_id_order(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b, c = add_users(uow, make, 3)
        uow.users.set_celebrity(c.id, True)
        uow.users.set_celebrity(a.id, True)
        assert uow.users.celebrity_ids() == [a.id, c.id]


def test_marking_a_celebrity_twice_keeps_one_mark(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (a,) = add_users(uow, make, 1)
        uow.users.set_celebrity(a.id, True)
        uow.users.set_celebrity(a.id, True)
        assert uow.users.celebrity_ids() == [a.id]


def test_unmarking_a_celebrity_removes_the_mark_and_is_idempotent(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        a, b = add_users(uow, make, 2)
        uow.users.set_celebrity(a.id, True)
        uow.users.set_celebrity(a.id, False)
        uow.users.set_celebrity(b.id, False)
        assert uow.users.celebrity_ids() == []
