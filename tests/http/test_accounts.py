"""Accounts over HTTP: signup, login, logout, login status, cookies and deactivation."""

from __future__ import annotations

from tests.http.helpers import PASSWORD, Account, Chirp, assert_error, is_id


def signup_body(username: str = "carol_01", email: str = "carol@example.com") -> dict[str, str]:
    return {"username": username, "email": email, "password": PASSWORD}


def test_signup_answers_201_with_the_user_and_a_token(api: Chirp) -> None:
    response = api.post("/api/accounts/signup/", json=signup_body())
    assert response.status_code == 201
    body = response.json
    assert body["success"] is True
    assert set(body["user"]) == {"id", "username"} and body["user"]["username"] == "carol_01"
    assert is_id(body["user"]["id"]) and len(body["token"]) >= 22


def test_signup_creates_the_profile(api: Chirp) -> None:
    user_id = api.post("/api/accounts/signup/", json=signup_body()).json["user"]["id"]
    assert api.get(f"/api/profiles/{user_id}/").status_code == 200


def test_signup_with_a_taken_username_in_any_case_is_a_409_naming_username(
    api: Chirp, alice: Account
) -> None:
    body = signup_body(username="ALICE_01", email="other@example.com")
    assert_error(api.post("/api/accounts/signup/", json=body), 409, "username")


def test_signup_with_a_taken_email_is_a_409_naming_email(api: Chirp, alice: Account) -> None:
    body = signup_body(email="ALICE_01@example.com")
    assert_error(api.post("/api/accounts/signup/", json=body), 409, "email")


def test_signup_with_a_bad_username_is_a_400_naming_username(api: Chirp) -> None:
    body = signup_body(username="no spaces!")
    assert_error(api.post("/api/accounts/signup/", json=body), 400, "username")


def test_signup_without_a_password_says_it_is_missing(api: Chirp) -> None:
    response = api.post("/api/accounts/signup/", json={"username": "x_123456", "email": "x@y.io"})
    assert_error(response, 400, "password")
    assert response.json["message"] == "missing password in request"


def test_login_works_with_any_case_of_the_username(api: Chirp, alice: Account) -> None:
    body = {"username": "Alice_01", "password": PASSWORD}
    response = api.post("/api/accounts/login/", json=body)
    assert response.status_code == 200
    assert response.json["user"] == {"id": alice.id, "username": "alice_01"}
    assert response.json["token"] != alice.token


def test_login_gives_one_message_for_a_wrong_password_and_an_unknown_user(
    api: Chirp, alice: Account
) -> None:
    wrong = api.post("/api/accounts/login/", json={"username": "alice_01", "password": "nope12"})
    unknown = api.post("/api/accounts/login/", json={"username": "nobody_1", "password": "x"})
    for response in (wrong, unknown):
        assert_error(response, 400)
        assert response.json["message"] == "username and password does not match"


def test_login_of_a_deactivated_user_is_a_403(api: Chirp, alice: Account) -> None:
    api.container.accounts().deactivate("alice_01")
    response = api.post("/api/accounts/login/", json={"username": "alice_01", "password": PASSWORD})
    assert_error(response, 403)


def test_a_deactivated_users_token_stops_working(api: Chirp, alice: Account) -> None:
    api.container.accounts().deactivate("alice_01")
    assert_error(api.get("/api/newsfeeds/", alice), 401)


def test_login_status_names_the_logged_in_user(api: Chirp, alice: Account) -> None:
    response = api.get("/api/accounts/login_status/", alice)
    assert response.json == {
        "has_logged_in": True,
        "user": {"id": alice.id, "username": "alice_01"},
    }


def test_logout_kills_the_token(api: Chirp, alice: Account) -> None:
    response = api.post("/api/accounts/logout/", alice)
    assert response.status_code == 200 and response.json == {"success": True}
    assert_error(api.get("/api/newsfeeds/", alice), 401)
    assert api.get("/api/accounts/login_status/", alice).json == {"has_logged_in": False}


def test_login_sets_an_httponly_samesite_lax_session_cookie(api: Chirp, alice: Account) -> None:
    response = api.post("/api/accounts/login/", json={"username": "alice_01", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"chirp_session={response.json['token']};")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert f"Max-Age={30 * 86400}" in cookie


def test_the_session_cookie_authenticates_and_logout_clears_it(api: Chirp, alice: Account) -> None:
    browser = api.app.test_client()  # keeps cookies, like a browser
    body = {"username": "alice_01", "password": PASSWORD}
    assert browser.post("/api/accounts/login/", json=body).status_code == 200
    assert browser.get("/api/newsfeeds/").status_code == 200
    logout = browser.post("/api/accounts/logout/", headers={"Origin": "http://localhost"})
    assert "chirp_session=;" in logout.headers["Set-Cookie"]
    assert browser.get("/api/newsfeeds/").status_code == 401


def test_an_unauthenticated_request_gets_a_bearer_challenge(api: Chirp) -> None:
    response = api.get("/api/newsfeeds/")
    assert_error(response, 401)
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_made_up_token_is_a_401(api: Chirp) -> None:
    response = api.get("/api/newsfeeds/", headers={"Authorization": "Bearer not-a-real-token"})
    assert_error(response, 401)


def test_signup_also_works_as_a_form_post(api: Chirp) -> None:
    response = api.post("/api/accounts/signup/", data=signup_body())
    assert response.status_code == 201


def test_authentication_is_checked_before_the_body(api: Chirp) -> None:
    assert_error(api.post("/api/tweets/", data=b"{", content_type="application/json"), 401)
    assert_error(api.post("/api/likes/", json={"content_type": "nope"}), 401)
