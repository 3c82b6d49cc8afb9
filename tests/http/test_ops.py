"""Operations and documentation: probes, the OpenAPI document and the interactive docs."""

from __future__ import annotations

from typing import Any

from dependency_injector import providers

from tests.http.helpers import Chirp, assert_error, concrete, operations

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
# What each operation documents besides the `default` error response flask-smorest adds
# to all: 401 comes with auth.required, 429 with ratelimit.limited, 400 with a request
# schema (blp.arguments), 403 with every unsafe method (the CSRF check), and the view lists
# the rest.
DOCUMENTED = {
    ("post", "/api/accounts/signup/"): {201, 400, 403, 409, 429},
    ("post", "/api/accounts/login/"): {200, 400, 403, 429},
    ("post", "/api/accounts/logout/"): {200, 403, 429},
    ("get", "/api/accounts/login_status/"): {200, 429},
    ("get", "/api/users/"): {200, 400, 401, 403, 429},
    ("get", "/api/profiles/{user_id}/"): {200, 404, 429},
    ("put", "/api/profiles/{user_id}/"): {200, 400, 401, 403, 404, 413, 429},
    ("patch", "/api/profiles/{user_id}/"): {200, 400, 401, 403, 404, 413, 429},
    ("get", "/api/tweets/"): {200, 400, 429},
    ("post", "/api/tweets/"): {200, 201, 400, 401, 403, 409, 413, 429},
    ("get", "/api/tweets/{tweet_id}/"): {200, 404, 429},
    ("patch", "/api/tweets/{tweet_id}/"): {200, 400, 401, 403, 404, 429},
    ("delete", "/api/tweets/{tweet_id}/"): {200, 401, 403, 404, 429},
    ("post", "/api/friendships/{user_id}/follow/"): {201, 400, 401, 403, 404, 429},
    ("post", "/api/friendships/{user_id}/unfollow/"): {200, 400, 401, 403, 404, 429},
    ("get", "/api/friendships/{user_id}/followers/"): {200, 400, 404, 429},
    ("get", "/api/friendships/{user_id}/followings/"): {200, 400, 404, 429},
    ("get", "/api/newsfeeds/"): {200, 400, 401, 429},
    ("get", "/api/newsfeeds/stream/"): {200, 400, 401, 404, 429},
    ("get", "/api/comments/"): {200, 400, 429},
    ("post", "/api/comments/"): {201, 400, 401, 403, 429},
    ("get", "/api/comments/{comment_id}/"): {200, 404, 429},
    ("put", "/api/comments/{comment_id}/"): {200, 400, 401, 403, 404, 429},
    ("patch", "/api/comments/{comment_id}/"): {200, 400, 401, 403, 404, 429},
    ("delete", "/api/comments/{comment_id}/"): {200, 401, 403, 404, 429},
    ("post", "/api/likes/"): {200, 201, 400, 401, 403, 429},
    ("post", "/api/likes/cancel/"): {200, 400, 401, 403, 429},
    ("get", "/api/notifications/"): {200, 400, 401, 429},
    ("get", "/api/notifications/unread-count/"): {200, 401, 429},
    ("post", "/api/notifications/mark-all-as-read/"): {200, 401, 403, 429},
    ("put", "/api/notifications/{notification_id}/"): {200, 400, 401, 403, 404, 429},
    ("patch", "/api/notifications/{notification_id}/"): {200, 400, 401, 403, 404, 429},
    ("get", "/healthz/"): {200},
    ("get", "/readyz/"): {200, 503},
    ("get", "/media/{key}"): {200, 404},
}
RATE_LIMIT_HEADERS = {"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"}
ERROR_HEADERS = {"401": {"WWW-Authenticate"}, "429": {"Retry-After", *RATE_LIMIT_HEADERS}}


def test_healthz_answers_ok_with_and_without_slash(api: Chirp) -> None:
    for path in ("/healthz", "/healthz/"):
        response = api.get(path)
        assert (response.status_code, response.json) == (200, {"status": "ok"})


def test_readyz_answers_200_when_every_backend_answers(api: Chirp) -> None:
    response = api.get("/readyz", api.admin())
    assert response.status_code == 200
    assert response.json["status"] == "ok"
    assert response.json["backends"]
    assert all(state == "ok" for state in response.json["backends"].values())


def test_readyz_answers_503_naming_the_failing_backend_to_an_admin(api: Chirp) -> None:
    admin = api.admin()
    report = {"database": None, "redis": "connection refused"}
    with api.container.readiness.override(providers.Object(report)):
        response = api.get("/readyz", admin)
    assert_error(response, 503, "redis")
    assert "redis" in response.json["message"] and "database" not in response.json["errors"]


def test_readyz_names_no_backend_to_anyone_but_an_admin(api: Chirp) -> None:
    alice = api.signup("alice_01")
    report = {"database": None, "redis": "Error 111 connecting to 10.0.0.7:6379"}
    for who in (None, alice):
        assert api.get("/readyz", who).json == {"status": "ok"}
        with api.container.readiness.override(providers.Object(report)):
            response = api.get("/readyz", who)
        assert_error(response, 503)
        text = response.get_data(as_text=True)
        assert "redis" not in text and "10.0.0.7" not in text and "6379" not in text
        assert response.json["errors"] == {}


def test_the_openapi_document_describes_every_endpoint(api: Chirp) -> None:
    response = api.get("/api/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec["openapi"].startswith("3.")
    assert set(spec["paths"]) >= API_PATHS
    error = spec["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"success", "code", "message", "errors"}


def test_every_operation_documents_the_statuses_it_answers(api: Chirp) -> None:
    spec = api.get("/api/openapi.json").json
    documented = {
        key: {int(code) for code in operation["responses"] if code != "default"}
        for key, operation in operations(spec).items()
    }
    assert documented == DOCUMENTED


def test_every_error_response_is_documented_with_the_error_body_and_its_headers(
    api: Chirp,
) -> None:
    spec = api.get("/api/openapi.json").json
    for (method, path), operation in operations(spec).items():
        for code, response in operation["responses"].items():
            if code.startswith("2"):
                continue
            response = _resolved(spec, response)
            schema = response["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, code)
            headers = set(response.get("headers", {}))
            assert headers == ERROR_HEADERS.get(code, set()), (method, path, code)


def test_exactly_the_operations_documenting_401_refuse_an_anonymous_caller(api: Chirp) -> None:
    spec = api.get("/api/openapi.json").json
    for (method, path), operation in operations(spec).items():
        response = api.call(method.upper(), concrete(path))
        refused = response.status_code == 401
        assert refused == ("401" in operation["responses"]), (method, path, response.status_code)
        if refused:
            assert response.headers["WWW-Authenticate"] == "Bearer"


def test_a_created_tweet_links_to_reading_editing_commenting_liking_and_deleting_it(
    api: Chirp,
) -> None:
    spec = api.get("/api/openapi.json").json
    links = spec["paths"]["/api/tweets/"]["post"]["responses"]["201"]["links"]
    targets = {
        (link["operationRef"].rsplit("/", 1)[-1], _target_path(link)) for link in links.values()
    }
    tweet = "/api/tweets/{tweet_id}/"
    assert {("get", tweet), ("patch", tweet), ("delete", tweet)} <= targets
    assert {("post", "/api/comments/"), ("post", "/api/likes/")} <= targets
    assert links["GetTweet"]["parameters"] == {"tweet_id": "$response.body#/id"}


def test_every_link_names_an_operation_of_the_document_and_its_parameters(api: Chirp) -> None:
    spec = api.get("/api/openapi.json").json
    found = operations(spec)
    count = 0
    for (method, path), operation in found.items():
        for code, response in operation["responses"].items():
            for name, link in response.get("links", {}).items():
                count += 1
                ref = link["operationRef"]
                target = found.get((ref.rsplit("/", 1)[-1], _target_path(link)))
                assert target is not None, (method, path, code, name, ref)
                path_params = spec["paths"][_target_path(link)].get("parameters", [])
                names = {p["name"] for p in [*path_params, *target.get("parameters", [])]}
                for parameter in link.get("parameters", {}):
                    assert parameter.rpartition(".")[2] in names, (method, path, name, parameter)
                if "requestBody" in link:
                    assert "requestBody" in target, (method, path, name)
    assert count > 0


def _target_path(link: dict[str, Any]) -> str:
    """The path an `operationRef` (`#/paths/<escaped path>/<method>`) points into."""
    escaped = str(link["operationRef"]).removeprefix("#/paths/").rsplit("/", 1)[0]
    return escaped.replace("~1", "/").replace("~0", "~")


def _resolved(spec: dict[str, Any], response: dict[str, Any]) -> dict[str, Any]:
    """A response of the document, following a `$ref` to its component."""
    ref = response.get("$ref")
    if ref is None:
        return response
    return spec["components"]["responses"][ref.rsplit("/", 1)[-1]]


def test_the_interactive_docs_page_answers(api: Chirp) -> None:
    for path in ("/api/docs/", "/api/docs"):
        response = api.get(path)
        assert response.status_code == 200
        assert "swagger-ui" in response.get_data(as_text=True)
