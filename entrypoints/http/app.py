"""The Flask app factory: configuration, OpenAPI, blueprints, wiring, errors, limits."""

from __future__ import annotations

from types import ModuleType
from typing import Any

from flask import Flask
from flask_smorest import Api  # type: ignore[import-untyped]
from werkzeug.middleware.proxy_fix import ProxyFix

from container import Container, build_container
from entrypoints.http import (
    accounts,
    auth,
    comments,
    csrf,
    errordocs,
    errors,
    friendships,
    hotlane,
    likes,
    limits,
    media,
    metrics,
    newsfeeds,
    notifications,
    observability,
    ops,
    profiles,
    ratelimit,
    schemas,
    stream,
    tweets,
    users,
)
from entrypoints.http.parsing import IdConverter, id_param_schema

BLUEPRINT_MODULES: tuple[ModuleType, ...] = (
    accounts,
    users,
    profiles,
    tweets,
    friendships,
    newsfeeds,
    stream,
    comments,
    likes,
    notifications,
    ops,
    media,
)
API_CONFIG: dict[str, Any] = {
    "API_TITLE": "chirp",
    "API_VERSION": "1.0",
    "OPENAPI_VERSION": "3.0.3",
    "OPENAPI_URL_PREFIX": "/api",
    "OPENAPI_JSON_PATH": "openapi.json",
    "OPENAPI_SWAGGER_UI_PATH": "docs/",
    "OPENAPI_SWAGGER_UI_URL": "https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
    "API_SPEC_OPTIONS": {
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": auth.COOKIE},
            }
        },
        "security": [{"bearer": []}, {"cookie": []}, {}],
    },
}


class ChirpApi(Api):  # type: ignore[misc]
    """flask-smorest's Api documenting our error body, wording and headers for every error
    response (the `default` one it adds to every operation included)."""

    ERROR_SCHEMA = errors.ErrorSchema

    def init_app(self, app: Flask, **kwargs: Any) -> None:
        super().init_app(app, **kwargs)
        errordocs.register_responses(self.spec)


def create_app(
    container: Container | None = None, *, streams: bool = True, hot_lane: bool = True
) -> Flask:
    """A chirp WSGI app on `container` (one built from the environment when not given);
    `streams`: whether it holds live streams (false for an API on thread workers, where
    each would take a request thread: `chirp stream` serves them instead); `hot_lane`:
    whether the hot reads are answered in front of Flask (see hotlane; off only to compare
    its answers with Flask's)."""
    container = container if container is not None else build_container()
    app = Flask("chirp")
    app.config[stream.STREAMS] = streams
    app.url_map.strict_slashes = False
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["blobkey"] = media.BlobKeyConverter
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.config.update(API_CONFIG)
    app.secret_key = container.secret_key()
    container.wire(modules=[*BLUEPRINT_MODULES, auth, csrf, ratelimit, observability, metrics])
    api = ChirpApi(app, spec_kwargs={"extra_plugins": [schemas.ResponseLinks()]})
    api.register_converter(IdConverter, id_param_schema)
    api.register_converter(media.BlobKeyConverter, lambda converter: {"type": "string"})
    for module in BLUEPRINT_MODULES:
        api.register_blueprint(module.blp)
    errors.register(app)
    observability.init_app(app)  # first: every request has its id, access line and measure
    metrics.init_app(app)
    csrf.init_app(app)  # before counting: a forged request spends no one's limit
    ratelimit.init_app(app)
    limits.init_app(app)
    if hot_lane:
        hotlane.init_app(app, container)  # after every hook; inside ProxyFix
    trust_proxies(app, container.settings().trusted_proxies)
    return app


def trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` proxies, take the client's address (rate limits per IP), the scheme
    (the cookie's Secure flag) and the host from their X-Forwarded-* headers, each the
    value the nearest trusted proxy appended. With none, those headers are ignored: any
    client could send them."""
    if hops > 0:
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
