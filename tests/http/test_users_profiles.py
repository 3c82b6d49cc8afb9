"""Users (admin list) and profiles over HTTP."""

from __future__ import annotations

from tests.http.helpers import Account, Chirp, assert_error


def test_an_admin_lists_users_newest_first_with_their_details(
    api: Chirp, alice: Account, bob: Account
) -> None:
    boss = api.admin()
    response = api.get("/api/users/?limit=2", boss)
    assert response.status_code == 200
    rows = response.json["results"]
    assert [r["username"] for r in rows] == ["admin_01", "bob_0001"]
    assert set(rows[1]) == {
        "id",
        "username",
        "nickname",
        "avatar_url",
        "email",
        "is_admin",
        "is_active",
        "created_at",
    }
    assert rows[0]["is_admin"] is True and rows[1]["email"] == "bob_0001@example.com"
    assert response.json["has_next_page"] is True


def test_a_non_admin_listing_users_is_a_403(api: Chirp, alice: Account) -> None:
    assert_error(api.get("/api/users/", alice), 403)


def test_a_profile_has_the_contract_shape(api: Chirp, alice: Account) -> None:
    body = api.get(f"/api/profiles/{alice.id}/").json
    assert set(body) == {"id", "user", "nickname", "avatar_url", "created_at", "updated_at"}
    assert body["id"] == alice.id and body["user"]["username"] == "alice_01"


def test_an_unknown_profile_is_a_404(api: Chirp) -> None:
    assert_error(api.get("/api/profiles/4040404/"), 404)


def test_the_owner_renames_with_json_and_clears_with_null(api: Chirp, alice: Account) -> None:
    path = f"/api/profiles/{alice.id}/"
    renamed = api.call("PATCH", path, alice, json={"nickname": "  Ally  "})
    assert renamed.status_code == 200 and renamed.json["nickname"] == "Ally"
    assert renamed.json["user"]["nickname"] == "Ally"
    cleared = api.call("PUT", path, alice, json={"nickname": None})
    assert cleared.json["nickname"] is None


def test_a_nickname_over_200_characters_is_a_400(api: Chirp, alice: Account) -> None:
    response = api.call("PUT", f"/api/profiles/{alice.id}/", alice, json={"nickname": "n" * 201})
    assert_error(response, 400, "nickname")


def test_changing_someone_elses_profile_is_a_403(api: Chirp, alice: Account, bob: Account) -> None:
    response = api.call("PUT", f"/api/profiles/{alice.id}/", bob, json={"nickname": "pwned"})
    assert_error(response, 403)
    assert_error(api.call("PUT", f"/api/profiles/{alice.id}/", json={"nickname": "anon"}), 401)
