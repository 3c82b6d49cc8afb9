"""Request parsing: a webargs parser raising domain errors, our Blueprint, the method reached."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any, NoReturn, cast

import flask
import flask_smorest  # type: ignore[import-untyped]
import marshmallow as ma
from webargs.flaskparser import FlaskParser, is_json_request
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.routing import IntegerConverter, Map, ValidationError

from core.domain import ids
from core.domain.errors import Invalid
from entrypoints.http import errors
from entrypoints.http.fields import ID_PATTERN

BODY = "body"
# Methods that may change state: a cross-site one riding on the session cookie is refused
# (403) by csrf.check_request before any view runs.
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# errordocs.component(403), the response component errordocs registers (errordocs imports
# this module, so the name is spelled out here).
FORBIDDEN = "FORBIDDEN"
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]
ID_DIGITS = len(str(ids.MAX_ID))


class ChirpParser(FlaskParser):
    """Answers 400 (not 422) through the error mapper; never 500 on a hostile body.

    The `body` location reads JSON when the request says JSON, else its form fields and
    file parts together, so one schema serves JSON clients and multipart uploads alike.
    """

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {
        **FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION,
        BODY: ma.EXCLUDE,
        "json": ma.EXCLUDE,
        "form": ma.EXCLUDE,
    }

    def __init__(self) -> None:
        super().__init__()
        self.__location_map__ = {**self.__location_map__, BODY: "load_body"}

    def load_body(self, req: flask.Request, schema: ma.Schema) -> Any:
        if is_json_request(req):
            return self.load_json(req, schema)
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)

    def _raw_load_json(self, req: flask.Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as exc:
            # Deep nesting and 5000-digit numbers fail otherwise, but are just as malformed.
            raise json.JSONDecodeError(str(exc), "?", 0) from exc

    def _handle_invalid_json_error(
        self, error: Any, req: flask.Request, *args: Any, **kwargs: Any
    ) -> NoReturn:
        raise Invalid("malformed JSON body", {"body": ["Invalid JSON body."]}) from error

    def handle_error(
        self, error: ma.ValidationError, req: flask.Request, schema: ma.Schema, **kwargs: Any
    ) -> NoReturn:
        location = _location_of(error.messages)
        raise errors.invalid_input(error.messages, location) from error


def _location_of(messages: Any) -> str:
    if isinstance(messages, Mapping) and len(messages) == 1:
        only = next(iter(messages))
        if only in (BODY, "query", "json", "form", "files", "headers"):
            return str(only)
    return BODY


class Blueprint(flask_smorest.Blueprint):  # type: ignore[misc]
    """flask-smorest's Blueprint with our parser; `body` is documented as JSON, and every
    unsafe operation documents the CSRF check's 403.

    Its decorators are declared again with types: flask-smorest ships none, and an untyped
    decorator leaves every view under it unchecked.
    """

    ARGUMENTS_PARSER = ChirpParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **flask_smorest.Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        BODY: "application/json",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # flask-smorest builds each operation's document with these callbacks (its own
        # decorators document themselves the same way); ours runs last.
        self._prepare_doc_cbks.append(_document_refusal)

    def arguments(self, schema: Any, **kwargs: Any) -> Decorator:
        return cast(Decorator, super().arguments(schema, **kwargs))

    def response(self, status_code: int, schema: Any = None, **kwargs: Any) -> Decorator:
        return cast(Decorator, super().response(status_code, schema, **kwargs))

    def alt_response(self, status_code: int, response: Any = None, **kwargs: Any) -> Decorator:
        return cast(Decorator, super().alt_response(status_code, response, **kwargs))

    def doc(self, **kwargs: Any) -> Decorator:
        return cast(Decorator, super().doc(**kwargs))


def _document_refusal(
    doc: dict[str, Any], doc_info: Any, *, method: str, **kwargs: Any
) -> dict[str, Any]:
    """An unsafe operation documents the 403 of csrf.check_request, which refuses it before
    its view (and any decorator of the view) runs, so no decorator could document it."""
    responses = doc.setdefault("responses", {})
    if method.upper() in UNSAFE_METHODS and not {403, "403"} & set(responses):
        responses[403] = FORBIDDEN
    return doc


class IdConverter(IntegerConverter):
    """`<id:name>` in a path: 1 to 2**63-1; anything else does not match (404)."""

    def __init__(self, url_map: Map) -> None:
        super().__init__(url_map, min=1, max=ids.MAX_ID)

    def to_python(self, value: str) -> int:
        if len(value) > ID_DIGITS:
            raise ValidationError()
        return int(super().to_python(value))


def id_param_schema(converter: IdConverter) -> dict[str, Any]:
    """How the OpenAPI document describes an `<id:...>` path parameter: the digits of an
    id as responses write it (a string, so no generated client turns it into a lossy
    JavaScript number); past 2**63-1 the path matches nothing (404)."""
    return {"type": "string", "pattern": ID_PATTERN, "example": "894431163894685696"}


def view_method(view: Callable[..., Any] | None, method: str) -> Callable[..., Any] | None:
    """The function that answers `method` on a routed view: a MethodView's method (HEAD is
    answered by `get`) or the view function itself; None when there is none. Marks that
    decorators put on a view (rate-limit action, body limit) are read from it."""
    view_class = getattr(view, "view_class", None)
    if view_class is None:
        return view
    handler = getattr(view_class, method.lower(), None)
    if handler is None and method == "HEAD":
        handler = getattr(view_class, "get", None)
    return cast(Callable[..., Any] | None, handler)


def json_alternative(blp: Blueprint, schema: type[ma.Schema]) -> Decorator:
    """Document that a multipart body may come as JSON instead (without its file parts)."""
    return blp.doc(requestBody={"content": {"application/json": {"schema": schema}}})
