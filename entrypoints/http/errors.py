"""The one place that turns errors into the API's error body and status."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import marshmallow as ma
from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from core.domain.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    RateLimited,
    TooLarge,
    Unauthenticated,
    Unavailable,
)

log = logging.getLogger("chirp.http")

STATUS: dict[type[DomainError], int] = {
    Invalid: 400,
    Unauthenticated: 401,
    Forbidden: 403,
    NotFound: 404,
    Conflict: 409,
    TooLarge: 413,
    RateLimited: 429,
    Unavailable: 503,
}
MISSING = "Missing data for required field."


class ErrorSchema(ma.Schema):
    """Every error the API answers: `{"success": false, "code", "message", "errors"}`."""

    success = ma.fields.Boolean(required=True, metadata={"enum": [False]})
    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    message = ma.fields.String(required=True, metadata={"description": "One line"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(), values=ma.fields.List(ma.fields.String()), required=True
    )


def error_response(
    status: int,
    message: str,
    errors: Mapping[str, list[str]] | None = None,
    headers: Mapping[str, str] | None = None,
) -> Response:
    """The error body for a status, with any extra headers."""
    response = jsonify(
        success=False,
        code=status,
        message=" ".join(str(message).split()) or "error",
        errors=dict(errors or {}),
    )
    response.status_code = status
    response.headers.update(headers or {})
    return response


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error (its closest mapped category)."""
    for kind in type(error).__mro__:
        if kind in STATUS:
            return STATUS[kind]
    return 400


def domain_error(error: DomainError) -> Response:
    status = status_of(error)
    headers: dict[str, str] = {}
    if isinstance(error, Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, RateLimited):
        headers.update(
            {
                "Retry-After": str(error.retry_after),
                "X-RateLimit-Limit": str(error.limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(error.reset),
            }
        )
    if isinstance(error, Unavailable):
        log.warning("backend unavailable: %s", error.message)
    return error_response(status, error.message, error.errors, headers)


def http_error(error: HTTPException) -> Response:
    """Werkzeug's own errors (unknown route, 405, 413, bad request) in the API body."""
    status = error.code or 500
    headers = {k: v for k, v in error.get_headers() if k.lower() == "allow"}
    return error_response(status, error.description or error.name, {}, headers)


def unexpected_error(error: Exception) -> Response:
    log.exception("unhandled error", exc_info=error)
    return error_response(500, "internal server error")


def register(app: Flask) -> None:
    """Install the handlers; later registrations for a class replace earlier ones."""
    app.register_error_handler(DomainError, domain_error)
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(Exception, unexpected_error)


def invalid_input(messages: Any, location: str) -> Invalid:
    """The Invalid error for schema messages: a missing field is `missing <name> in request`."""
    errors: dict[str, list[str]] = {}
    for field, texts in _flatten(messages, location):
        errors.setdefault(field, []).extend(texts)
    missing = [field for field, texts in errors.items() if MISSING in texts]
    if missing:
        return Invalid(f"missing {missing[0]} in request", errors)
    if not errors:
        return Invalid("invalid request", {})
    field, texts = next(iter(errors.items()))
    return Invalid(f"{field}: {texts[0] if texts else 'invalid'}", errors)


def _flatten(messages: Any, location: str) -> Iterator[tuple[str, list[str]]]:
    """(top-level field, its messages) from marshmallow's nested messages, any location."""
    if isinstance(messages, Mapping) and set(messages) <= {location}:
        messages = messages.get(location, {})
    if not isinstance(messages, Mapping):
        yield location, _leaves(messages)
        return
    for field, value in messages.items():
        yield (location if field == "_schema" else str(field)), _leaves(value)


def _leaves(value: Any) -> list[str]:
    if isinstance(value, Mapping):
        return [text for inner in value.values() for text in _leaves(inner)]
    if isinstance(value, list | tuple):
        return [text for inner in value for text in _leaves(inner)]
    return [str(value)]
