"""Operations and documentation: probes, the OpenAPI document and the interactive docs."""

from __future__ import annotations

from dependency_injector import providers

from tests.http.helpers import Chirp, assert_error

API_PATHS = {
    "/api/accounts/signup/",
    "/api/accounts/login/",
    "/api/accounts/logout/",
    "/api/accounts/login_status/",
    "/api/users/",
    "/api/profiles/{user_id}/",
    "/api/tweets/",
    "/api/tweets/{tweet_id}/",
    "/api/friendships/{user_id}/follow/",
    "/api/friendships/{user_id}/unfollow/",
    "/api/friendships/{user_id}/followers/",
    "/api/friendships/{user_id}/followings/",
    "/api/newsfeeds/",
    "/api/comments/",
    "/api/comments/{comment_id}/",
    "/api/likes/",
    "/api/likes/cancel/",
    "/api/notifications/",
    "/api/notifications/unread-count/",
    "/api/notifications/mark-all-as-read/",
    "/api/notifications/{notification_id}/",
}


def test_healthz_answers_ok_with_and_without_slash(api: Chirp) -> None:
    for path in ("/healthz", "/healthz/"):
        response = api.get(path)
        assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_answers_200_when_every_backend_answers(api: Chirp) -> None:
    response = api.get("/readyz")
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert all(state == "ok" for state in response.json["backends"].values())


def test_readyz_answers_503_naming_the_failing_backend(api: Chirp) -> None:
    report = {"database": None, "redis": "connection refused"}
    with api.container.readiness.override(providers.Object(report)):
        response = api.get("/readyz")
    assert_error(response, 503, "redis")
    assert "redis" in response.json["message"] and "database" not in response.json["errors"]


def test_the_openapi_document_describes_every_endpoint(api: Chirp) -> None:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= API_PATHS
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"success", "code", "message", "errors"}


def test_every_operation_documents_its_error_responses(api: Chirp) -> None:
    spec = api.get("/api/openapi.json").json
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method == "parameters":
                continue
            assert "default" in operation["responses"], (path, method)


def test_the_interactive_docs_page_answers(api: Chirp) -> None:
    for path in ("/api/docs/", "/api/docs"):
        response = api.get(path)
        assert response.status_code == 200
        assert "swagger-ui" in response.get_data(as_text=True)
