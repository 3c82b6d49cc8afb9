"""Error responses in the OpenAPI document, each added by the decorator that knows it."""

from __future__ import annotations

import http
from collections.abc import Callable
from typing import Any

from apispec import APISpec

from entrypoints.http.errors import ErrorSchema
from entrypoints.http.parsing import Blueprint, Decorator


def _integer_header(description: str) -> dict[str, Any]:
    return {"description": description, "schema": {"type": "integer", "minimum": 0}}


RATE_LIMIT_HEADERS = {
    "X-RateLimit-Limit": _integer_header("Requests allowed in the tightest window"),
    "X-RateLimit-Remaining": _integer_header("Requests left in that window"),
    "X-RateLimit-Reset": _integer_header("Seconds until that window resets"),
}
DESCRIPTIONS = {
    400: "Validation failed, a missing parameter or a bad cursor",
    401: "Not authenticated",
    403: "Not allowed: wrong credentials or role, someone else's object, or a cross-site "
    "request riding on the session cookie",
    404: "No such object",
    409: "Conflict: a username or email taken",
    413: "Upload too large",
    429: "Rate limited",
    503: "A backend is down",
}
HEADERS: dict[int, dict[str, Any]] = {
    401: {"WWW-Authenticate": {"description": "`Bearer`", "schema": {"type": "string"}}},
    429: {"Retry-After": _integer_header("Seconds to wait before retrying"), **RATE_LIMIT_HEADERS},
}

# Never registered with the app: its documenting decorators serve decorators that have no
# blueprint at hand (auth.required, ratelimit.limited); what they record is the same.
_DOCS = Blueprint("errordocs", __name__)


def component(code: int) -> str:
    """The response component of a status, named as flask-smorest names its own
    (`NOT_FOUND`), so the 400 that `blp.arguments` documents gets our wording too."""
    return http.HTTPStatus(code).name


def register_responses(spec: APISpec) -> None:
    """Our error responses in place of flask-smorest's stock ones: our wording, the error
    body, and the headers sent with them. Call before any blueprint is registered."""
    for code, description in DESCRIPTIONS.items():
        response: dict[str, Any] = {
            "description": description,
            "content": {"application/json": {"schema": ErrorSchema}},
        }
        if code in HEADERS:
            response["headers"] = HEADERS[code]
        # Replaces the lazily registered stock response of that name: only a component
        # that an operation has already referenced would be a duplicate.
        spec.components.response(component(code), response, lazy=True)


def documents(code: int) -> Decorator:
    """Document that an operation may answer `code` with the error body."""
    if code not in DESCRIPTIONS:
        raise ValueError(f"no error response {code} to document")
    return _DOCS.alt_response(code, response=component(code))


def fails(*codes: int) -> Decorator:
    """Document the error statuses specific to one operation: 401 comes with
    `auth.required`, 429 with `ratelimit.limited`, 400 with `blp.arguments`, and the
    `default` error response with every operation."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        for code in codes:
            func = documents(code)(func)
        return func

    return decorator


def fails_when(code: int, description: str) -> Decorator:
    """Document an error status with this operation's own wording, where the shared one
    (`DESCRIPTIONS`) would mislead: same error body, no shared headers."""
    if code not in DESCRIPTIONS or code in HEADERS:
        raise ValueError(f"no error response {code} to document in its own words")
    return _DOCS.alt_response(code, schema=ErrorSchema, description=description)
