"""Property-based run of Schemathesis over /api/openapi.json: no 500s, documented responses."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

from entrypoints.http.app import create_app
from tests.http.helpers import Chirp, close_container, make_container

CHECKS = (not_a_server_error, response_schema_conformance)
BUDGET = settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)
SEEDED: dict[str, Any] = {}
TRIED: Counter[str] = Counter()
STATUSES: Counter[int] = Counter()


def seed(api: Chirp) -> dict[str, Any]:
    """A small world for the run: two users, a tweet with a comment and a like, a follow."""
    alice, bob = api.signup("schema_alice"), api.signup("schema_bob")
    tweet = api.tweet(bob, "a tweet to poke at")
    comment = api.comment(alice, tweet["id"])
    api.like(alice, "tweet", tweet["id"])
    api.follow(alice, bob)
    note = api.get("/api/notifications/", bob).json["results"][0]
    ids = {
        "user_id": [alice.id, bob.id],
        "tweet_id": [tweet["id"]],
        "comment_id": [comment["id"]],
        "notification_id": [note["id"]],
    }
    return {"token": alice.token, "ids": ids}


@pytest.fixture
def web_schema(tmp_path: Path, profile: str) -> Iterator[schemathesis.BaseSchema]:
    container = make_container(tmp_path, profile)
    app = create_app(container)
    TRIED.clear()
    STATUSES.clear()
    SEEDED.update(seed(Chirp(app, container)))
    yield schemathesis.from_wsgi("/api/openapi.json", app)
    close_container(container)
    print(
        f"\nschemathesis: {sum(TRIED.values())} calls over {len(TRIED)} operations; "
        f"statuses {dict(sorted(STATUSES.items()))}"
    )


schema = schemathesis.from_pytest_fixture("web_schema")


def _known(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Point every other generated id at a seeded object, so success paths get exercised."""
    if not values:
        return values
    for name, known in SEEDED.get("ids", {}).items():
        value = values.get(name)
        if isinstance(value, str) and value.isdigit() and int(value) % 2 == 0:
            values[name] = known[int(value) % len(known)]
    return values


@schema.hook
def map_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
    return _known(path_parameters)


@schema.hook
def map_query(context: Any, query: dict[str, Any] | None) -> Any:
    return _known(query)


def _call(case: schemathesis.Case, anonymous: bool) -> None:
    # Logging out would kill the shared token for every later call: log out anonymously.
    anonymous = anonymous or case.path == "/api/accounts/logout/"
    headers = {} if anonymous else {"Authorization": f"Bearer {SEEDED['token']}"}
    response = case.call_wsgi(headers=headers)
    TRIED[f"{case.method} {case.path}"] += 1
    STATUSES[response.status_code] += 1
    case.validate_response(response, checks=CHECKS)


@schema.parametrize()
@BUDGET
def test_the_api_honours_its_openapi_document_for_a_logged_in_user(
    case: schemathesis.Case,
) -> None:
    _call(case, anonymous=False)


@schema.parametrize()
@settings(BUDGET, max_examples=5)
def test_the_api_honours_its_openapi_document_for_anonymous_callers(
    case: schemathesis.Case,
) -> None:
    _call(case, anonymous=True)
