"""Password hashing at login: equal work for every name, old hashes upgraded in place."""

from __future__ import annotations

from dependency_injector import providers

from adapters.system.passwords import FastPasswordHasher, ScryptPasswordHasher
from tests.http.helpers import PASSWORD, TEST_SCRYPT_N, Account, Chirp, assert_error


class CountingHasher(FastPasswordHasher):
    """The fast hasher, counting the hashes it computes (verify computes one)."""

    def __init__(self) -> None:
        self.computed = 0

    def hash(self, password: str) -> str:
        self.computed += 1
        return super().hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        self.computed += 1
        return super().verify(password, hashed)


def stored_hash(api: Chirp, who: Account) -> str:
    with api.container.uow_factory()() as uow:
        user = uow.users.get(int(who.id))
    assert user is not None
    return user.password_hash


def set_stored_hash(api: Chirp, who: Account, hashed: str) -> None:
    with api.container.uow_factory()() as uow:
        uow.users.set_password_hash(int(who.id), hashed)
        uow.commit()


def login(api: Chirp, username: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    return api.post("/api/accounts/login/", json={"username": username, "password": password})


def test_a_login_with_an_old_cost_hash_succeeds_and_stores_a_current_one(
    api: Chirp, alice: Account
) -> None:
    set_stored_hash(api, alice, ScryptPasswordHasher(n=2**8).hash(PASSWORD))
    assert login(api, alice.username).status_code == 200
    upgraded = stored_hash(api, alice)
    assert upgraded.startswith(f"scrypt${TEST_SCRYPT_N}$8$1$")
    assert login(api, alice.username).status_code == 200
    assert stored_hash(api, alice) == upgraded  # current already: left alone


def test_a_wrong_password_leaves_an_old_hash_alone(api: Chirp, alice: Account) -> None:
    old = ScryptPasswordHasher(n=2**8).hash(PASSWORD)
    set_stored_hash(api, alice, old)
    assert_error(login(api, alice.username, "not-the-password"), 400)
    assert stored_hash(api, alice) == old


def test_an_unknown_name_costs_the_same_hash_as_a_known_one(api: Chirp) -> None:
    counting = CountingHasher()
    with api.container.hasher.override(providers.Object(counting)):
        api.container.accounts.reset()  # the Singleton, rebuilt on the counting hasher
        api.signup("alice_01")
        login(api, "nobody_01")  # the first unknown name also makes the dummy hash
        counting.computed = 0
        assert_error(login(api, "nobody_02"), 400)
        unknown = counting.computed
        counting.computed = 0
        assert_error(login(api, "alice_01", "wrong-password"), 400)
        known = counting.computed
    api.container.accounts.reset()
    assert unknown == known == 1


def test_a_deactivated_user_is_told_only_after_the_password_check(
    api: Chirp, alice: Account
) -> None:
    api.container.accounts().deactivate(alice.username)
    assert_error(login(api, alice.username, "not-the-password"), 400)
    assert_error(login(api, alice.username), 403)
