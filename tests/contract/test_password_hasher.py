"""Contract of PasswordHasher: salted hashes that verify the right password only."""

from __future__ import annotations

import pytest

from adapters.system import FastPasswordHasher, ScryptPasswordHasher
from core.ports.password_hasher import PasswordHasher

# A cheap scrypt cost keeps the suite fast; the default cost has its own test.
TEST_N = 2**10


@pytest.fixture(params=["memory", "system"])
def hasher(request: pytest.FixtureRequest) -> PasswordHasher:
    """ "memory" is the memory profile's fast hasher, "system" the real scrypt one."""
    if request.param == "memory":
        return FastPasswordHasher()
    return ScryptPasswordHasher(n=TEST_N)


def test_the_right_password_verifies(hasher: PasswordHasher) -> None:
    assert hasher.verify("correct horse", hasher.hash("correct horse")) is True


def test_a_wrong_password_does_not_verify(hasher: PasswordHasher) -> None:
    hashed = hasher.hash("correct horse")
    assert hasher.verify("correct hors", hashed) is False
    assert hasher.verify("Correct horse", hashed) is False
    assert hasher.verify("", hashed) is False


def test_the_same_password_hashes_differently_each_time(hasher: PasswordHasher) -> None:
    assert hasher.hash("same secret") != hasher.hash("same secret")


def test_the_hash_does_not_contain_the_password(hasher: PasswordHasher) -> None:
    assert "hunter2hunter2" not in hasher.hash("hunter2hunter2")


def test_non_ascii_passwords_verify(hasher: PasswordHasher) -> None:
    hashed = hasher.hash("pässwörd-密码-🔑")
    assert hasher.verify("pässwörd-密码-🔑", hashed) is True
    assert hasher.verify("passwort-密码-🔑", hashed) is False


@pytest.mark.parametrize("garbage", ["", "plain", "scrypt$x$y$z$a$b", "sha256$$", "$$$$$"])
def test_a_malformed_hash_never_verifies(hasher: PasswordHasher, garbage: str) -> None:
    assert hasher.verify("anything", garbage) is False


def test_a_hash_from_the_other_hasher_does_not_verify() -> None:
    fast, slow = FastPasswordHasher(), ScryptPasswordHasher(n=TEST_N)
    assert fast.verify("secret", slow.hash("secret")) is False
    assert slow.verify("secret", fast.hash("secret")) is False


def test_scrypt_defaults_to_owasps_cost_in_a_self_describing_string() -> None:
    hasher = ScryptPasswordHasher()
    hashed = hasher.hash("secret words")
    scheme, n, r, p, salt, digest = hashed.split("$")
    assert (scheme, n, r, p) == ("scrypt", str(2**17), "8", "1")
    assert salt and digest
    assert hasher.verify("secret words", hashed) is True  # 128 MiB: above OpenSSL's default cap


def test_a_fresh_hash_needs_no_rehash(hasher: PasswordHasher) -> None:
    assert hasher.needs_rehash(hasher.hash("secret words")) is False


def test_a_hash_of_another_algorithm_needs_a_rehash() -> None:
    fast, slow = FastPasswordHasher(), ScryptPasswordHasher(n=TEST_N)
    assert fast.needs_rehash(slow.hash("secret")) is True
    assert slow.needs_rehash(fast.hash("secret")) is True


@pytest.mark.parametrize("other", [{"n": 2**8}, {"r": 4}, {"p": 2}])
def test_a_scrypt_hash_at_other_parameters_needs_a_rehash(other: dict[str, int]) -> None:
    old = ScryptPasswordHasher(**{"n": TEST_N, **other}).hash("secret words")
    assert ScryptPasswordHasher(n=TEST_N).needs_rehash(old) is True


@pytest.mark.parametrize("garbage", ["", "plain", "scrypt", "scrypt$$$$$"])
def test_a_malformed_hash_needs_a_rehash(hasher: PasswordHasher, garbage: str) -> None:
    assert hasher.needs_rehash(garbage) is True


def test_scrypt_verifies_a_hash_made_at_another_cost() -> None:
    old = ScryptPasswordHasher(n=2**8).hash("secret words")
    assert ScryptPasswordHasher(n=TEST_N).verify("secret words", old) is True


def test_scrypt_refuses_a_cost_that_is_not_a_power_of_two() -> None:
    with pytest.raises(ValueError):
        ScryptPasswordHasher(n=1000)
