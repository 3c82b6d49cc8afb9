"""Accounts: sign-up, login, logout, tokens, admin listing, deactivation."""

from __future__ import annotations

from datetime import timedelta

import pytest

from core.domain.errors import Conflict, Forbidden, Invalid, NotFound, Unauthenticated
from core.domain.paging import Window
from tests.unit.harness import PNG, Harness


def test_sign_up_stores_username_and_email_lower_case_and_logs_in(h: Harness) -> None:
    session = h.c.accounts().sign_up("Alice_01", "Alice@Example.COM", "secret1")
    assert (session.user.username, session.user.email) == ("alice_01", "alice@example.com")
    assert h.c.accounts().authenticate(session.token).id == session.user.id


def test_sign_up_creates_the_profile(h: Harness) -> None:
    user = h.user("bobby_01")
    assert h.c.profiles().get_profile(user.id).user.username == "bobby_01"


@pytest.mark.parametrize(
    "field,username,email",
    [
        ("username", "ALICE_01", "other@example.com"),
        ("email", "other_01", "ALICE@example.com"),
    ],
)
def test_a_taken_username_or_email_is_a_conflict_naming_the_field(
    h: Harness, field: str, username: str, email: str
) -> None:
    h.c.accounts().sign_up("alice_01", "alice@example.com", "secret1")
    with pytest.raises(Conflict) as err:
        h.c.accounts().sign_up(username, email, "secret1")
    assert field in err.value.errors


@pytest.mark.parametrize(
    "field,username,email,password",
    [
        ("username", "short", "a@example.com", "secret1"),
        ("username", "has space_1", "a@example.com", "secret1"),
        ("username", "x" * 21, "a@example.com", "secret1"),
        ("email", "valid_name", "not-an-email", "secret1"),
        ("password", "valid_name", "a@example.com", "12345"),
        ("password", "valid_name", "a@example.com", "x" * 129),
    ],
)
def test_sign_up_rejects_bad_fields_by_name(
    h: Harness, field: str, username: str, email: str, password: str
) -> None:
    with pytest.raises(Invalid) as err:
        h.c.accounts().sign_up(username, email, password)
    assert list(err.value.errors) == [field]


def test_login_works_with_any_case_of_the_username(h: Harness) -> None:
    user = h.user("carol_01")
    assert h.c.accounts().log_in("CAROL_01", "secret1").user.id == user.id


def test_unknown_user_and_wrong_password_get_the_same_error(h: Harness) -> None:
    h.user("dave_001")
    with pytest.raises(Invalid) as unknown:
        h.c.accounts().log_in("nobody_1", "secret1")
    with pytest.raises(Invalid) as wrong:
        h.c.accounts().log_in("dave_001", "wrong-password")
    assert unknown.value.message == wrong.value.message == "username and password does not match"


def test_the_password_is_stored_only_as_a_hash(h: Harness) -> None:
    user = h.user("erin_001")
    assert "secret1" not in user.password_hash


def test_logout_kills_the_token(h: Harness) -> None:
    session = h.c.accounts().log_in(h.user("frank_01").username, "secret1")
    h.c.accounts().log_out(session.token)
    with pytest.raises(Unauthenticated):
        h.c.accounts().authenticate(session.token)


def test_tokens_expire_after_thirty_days(h: Harness) -> None:
    session = h.c.accounts().sign_up("gina_001", "gina@example.com", "secret1")
    h.clock.advance(timedelta(days=29).total_seconds())
    h.c.accounts().authenticate(session.token)
    h.clock.advance(timedelta(days=2).total_seconds())
    with pytest.raises(Unauthenticated):
        h.c.accounts().authenticate(session.token)


def test_a_missing_or_made_up_token_is_unauthenticated(h: Harness) -> None:
    for token in (None, "", "made-up"):
        with pytest.raises(Unauthenticated):
            h.c.accounts().authenticate(token)


def test_deactivation_kills_tokens_and_login_is_forbidden(h: Harness) -> None:
    session = h.c.accounts().sign_up("henry_01", "henry@example.com", "secret1")
    h.c.accounts().deactivate("HENRY_01")
    with pytest.raises(Unauthenticated):
        h.c.accounts().authenticate(session.token)
    with pytest.raises(Forbidden):
        h.c.accounts().log_in("henry_01", "secret1")


def test_deactivating_an_unknown_user_is_not_found(h: Harness) -> None:
    with pytest.raises(NotFound):
        h.c.accounts().deactivate("ghost_001")


def test_only_admins_list_users_newest_first(h: Harness) -> None:
    admin = h.user("admin_01", admin=True)
    plain = h.user("plain_01")
    with pytest.raises(Forbidden):
        h.c.accounts().list_users(plain, Window())
    page = h.c.accounts().list_users(admin, Window())
    assert [row.user.username for row in page.results] == ["plain_01", "admin_01"]


def test_the_admin_list_shows_each_users_nickname_and_avatar(h: Harness) -> None:
    admin = h.user("admin_01", admin=True)
    plain = h.user("plain_01")
    h.c.profiles().update_profile(plain.id, plain.id, nickname="Plain Jane", avatar=PNG)
    rows = {row.user.id: row for row in h.c.accounts().list_users(admin, Window()).results}
    shown = rows[plain.id].summary
    assert (shown.username, shown.nickname) == ("plain_01", "Plain Jane")
    avatar = h.c.profiles().get_profile(plain.id).avatar_url
    assert avatar is not None and shown.avatar_url == avatar
    assert (rows[admin.id].summary.nickname, rows[admin.id].summary.avatar_url) == (None, None)


def test_the_admin_list_shows_a_new_nickname_at_once(h: Harness) -> None:
    admin = h.user("admin_01", admin=True)
    h.c.accounts().list_users(admin, Window())  # the summaries are cached now
    h.c.profiles().update_profile(admin.id, admin.id, nickname="The Boss")
    [row] = h.c.accounts().list_users(admin, Window()).results
    assert row.summary.nickname == "The Boss"
