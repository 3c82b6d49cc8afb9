"""The hot reads answered in front of Flask: the feed page, a tweet with its comments, a profile.

Profiles of these GETs showed Flask's request machinery (request context, hooks,
flask-smorest's and webargs' wrappers, injection on every call) costing as much as the read
itself. `HotLane` wraps the Flask app (inside ProxyFix, so it sees the client and scheme as
Flask does) and answers those requests itself, with the same services and body builders.

Rules:
- The lane answers only what it answers as the full stack would, byte for byte but the
  request id: a GET of a hot route whose query it reads completely (each known parameter
  once, valid) from a caller it can place (a known token, or anonymous where the route
  allows one), whose read succeeds. Everything else goes to Flask: a bad or repeated
  parameter, a stale token on a signed-in route, HEAD, any other path. The lane never
  writes an error body: a read that raises hands its exception to Flask, whose hooks run
  as for any request and whose error handlers answer it (no second read, so an outage does
  not cost two timeouts). tests/http/test_hot_lane.py compares both answers request by
  request.
- What Flask's hooks do for every request, the lane does for those it answers: the request
  id (X-Request-Id when sane, echoed, bound while the read runs), the rate-limit count and
  its X-RateLimit-* headers, the access line and the measurement under the route's URL rule.
- A request counts against its rate limit once. The lane counts before reading; handing
  the request over (a 429 included), it leaves its count, request id and start time in the
  environ, and Flask's hooks take them instead of making their own.
- The routes' URL rules and rate-limit actions are read from the Flask app, so the lane
  cannot label or count a request differently from it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from flask import Flask, request
from werkzeug.wsgi import get_current_url

from container import Container
from core.domain import ids
from core.domain.errors import RateLimited, Unauthenticated
from core.domain.paging import Window
from core.services import context
from entrypoints.http import auth, bodies, observability, ratelimit
from entrypoints.http.paging import link_header

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse

# The exception a read of the lane raised, left in the environ for Flask to answer (the
# lane's count, request id and start time are left under keys of the hooks that take them).
FAILED = "chirp.hot.failed"
FEED_PARAMS = frozenset({"limit", "cursor", "since", "created_at__lt", "created_at__gt"})
# What `request.base_url` is made of, in a WSGI environ.
URL_PARTS = ("wsgi.url_scheme", "HTTP_HOST", "SERVER_NAME", "SERVER_PORT", "SCRIPT_NAME",
             "PATH_INFO")  # fmt: skip
ID = r"([1-9][0-9]{0,18})"

Answer = tuple[bodies.Body, dict[str, str]]


class Handover(Exception):
    """This request is Flask's to answer."""


@dataclass(frozen=True)
class Read:
    """What a hot route's answer is made from."""

    container: Container
    user_id: int | None  # the caller, None for anonymous
    path_id: int | None  # the id in the path, if the route has one
    query: list[tuple[str, str]]
    environ: dict[str, Any]


@dataclass(frozen=True)
class HotRoute:
    sample: str  # a path of the route, to find its rule and view in the Flask app
    pattern: re.Pattern[str]  # over PATH_INFO; group 1, when present, is the id
    signed_in: bool  # anonymous callers go to Flask (its 401)
    answer: Callable[[Read], Answer]


def _feed(read: Read) -> Answer:
    if any(key not in FEED_PARAMS for key, _ in read.query):
        raise Handover  # ignored by Flask's schema, but named in the Link it writes
    try:
        window = _window(tuple(read.query))
    except Exception as exc:  # its own complaint (400/422) is Flask's to write
        raise Handover from exc
    assert read.user_id is not None
    page = read.container.timeline().read_home_feed(read.user_id, window)
    base = _base_url(*(read.environ.get(key) for key in URL_PARTS))
    return bodies.page(page, bodies.feed_item), link_header(page, read.query, base)


@lru_cache(maxsize=256)
def _window(query: tuple[tuple[str, str], ...]) -> Window:
    """The window a feed query asks for (Window is immutable, and most pages ask for the
    first one: the schema's load is not worth repeating)."""
    from entrypoints.http.newsfeeds import NEWEST_PAGE

    window: Window = NEWEST_PAGE.load(dict(query))
    return window


@lru_cache(maxsize=256)
def _base_url(*parts: str | None) -> str:
    """`request.base_url` of a request with these URL_PARTS of its environ (None: absent)."""
    environ = {key: part for key, part in zip(URL_PARTS, parts, strict=True) if part is not None}
    return get_current_url(environ, strip_querystring=True)


def _tweet(read: Read) -> Answer:
    assert read.path_id is not None
    detail = read.container.posting().get_tweet(read.user_id, read.path_id)
    return bodies.tweet_detail(detail), {}


def _profile(read: Read) -> Answer:
    assert read.path_id is not None
    return bodies.profile(read.container.profiles().get_profile(read.path_id)), {}


ROUTES = (
    HotRoute("/api/newsfeeds/", re.compile(r"/api/newsfeeds/?\Z"), True, _feed),
    HotRoute("/api/tweets/1/", re.compile(rf"/api/tweets/{ID}/?\Z"), False, _tweet),
    HotRoute("/api/profiles/1/", re.compile(rf"/api/profiles/{ID}/?\Z"), False, _profile),
)


@dataclass(frozen=True)
class Bound:
    """A hot route as the Flask app routes it: its URL rule and rate-limit action."""

    route: HotRoute
    rule: str
    action: str | None


class HotLane:
    """The WSGI app in front of Flask's `wsgi_app` (see the module's rules)."""

    def __init__(self, app: Flask, container: Container, routes: Iterable[HotRoute]) -> None:
        self._app = app
        self._next = app.wsgi_app
        self._container = container
        self._routes = [self._bind(app, route) for route in routes]

    @staticmethod
    def _bind(app: Flask, route: HotRoute) -> Bound:
        rule, _ = app.url_map.bind("localhost").match(route.sample, "GET", return_rule=True)
        action = ratelimit.action_for(app.view_functions[rule.endpoint], "GET")
        return Bound(route, rule.rule, action)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Any:
        if environ.get("REQUEST_METHOD") == "GET":
            path = environ.get("PATH_INFO", "")
            for bound in self._routes:
                found = bound.route.pattern.match(path)
                if found is not None:
                    return self._serve(bound, found, environ, start_response)
        return self._next(environ, start_response)

    def _serve(
        self, bound: Bound, found: re.Match[str], environ: dict[str, Any], respond: StartResponse
    ) -> Any:
        started = time.perf_counter()
        request_id = observability.request_id_of(environ.get("HTTP_X_REQUEST_ID"))
        environ[observability.HANDED_ID], environ[observability.HANDED_START] = request_id, started
        token = context.bind(request_id)
        try:
            body, headers = self._answer(bound, found, environ)
        except Handover:
            return self._next(environ, respond)
        finally:
            context.unbind(token)
        payload = bodies.encode(body)
        listed = [("Content-Type", "application/json"), ("Content-Length", str(len(payload)))]
        listed += headers.items()
        listed.append((observability.HEADER, request_id))
        respond("200 OK", listed)
        seconds = time.perf_counter() - started
        client = environ.get("REMOTE_ADDR")
        metrics = self._container.metrics()
        observability.record(metrics, "GET", path_of(environ), 200, seconds, bound.rule, client)
        return [payload]

    def _answer(self, bound: Bound, found: re.Match[str], environ: dict[str, Any]) -> Answer:
        path_id = int(found.group(1)) if found.groups() else None
        if path_id is not None and path_id > ids.MAX_ID:
            raise Handover  # no route matches it: Flask's 404
        query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if len({key for key, _ in query}) != len(query):
            raise Handover  # Flask reads the first of a repeated parameter
        try:
            user_id = self._caller(bound.route, environ)
            headers = self._count(bound.action, user_id, environ)
            body, more = bound.route.answer(Read(self._container, user_id, path_id, query, environ))
        except Handover:
            raise
        except Exception as exc:  # Flask's error handlers answer it, as if its view raised
            environ[FAILED] = exc
            raise Handover from exc
        return body, {**more, **headers}

    def _caller(self, route: HotRoute, environ: dict[str, Any]) -> int | None:
        token = auth.token_in(environ.get("HTTP_AUTHORIZATION", ""), environ.get("HTTP_COOKIE"))
        if token is None:
            if route.signed_in:
                raise Handover
            return None
        try:
            return auth.user_for(auth.sessions_of(self._app), token).id
        except Unauthenticated as exc:  # a stale token: anonymous, or Flask's 401
            if route.signed_in:
                raise Handover from exc
            return None

    def _count(
        self, action: str | None, user_id: int | None, environ: dict[str, Any]
    ) -> dict[str, str]:
        limiter = self._container.rate_limiter()
        if action is None or not limiter.limited(action):
            return {}
        address = environ.get("REMOTE_ADDR") or "unknown"
        subject = ratelimit.subject_of(action, user_id, address)
        try:
            status = limiter.hit(action, subject)
        except RateLimited as exc:
            environ[ratelimit.COUNTED] = exc
            raise Handover from exc
        environ[ratelimit.COUNTED] = status
        return ratelimit.headers_of(status)


def take_over() -> None:
    """before_request, after every other hook: a read the lane began and that failed is
    answered from here by Flask's error handlers, as if the view had raised it."""
    failed = request.environ.pop(FAILED, None)
    if failed is not None:
        raise failed


def init_app(app: Flask, container: Container, routes: Iterable[HotRoute] = ROUTES) -> None:
    """Put the lane in front of `app` (before ProxyFix wraps it) and register its hook; call
    after every other `init_app` that adds a before_request hook."""
    app.before_request(take_over)
    app.wsgi_app = HotLane(app, container, routes)  # type: ignore[method-assign]


def path_of(environ: dict[str, Any]) -> str:
    """The request's path as Flask's `request.path` gives it (a hot route's is ASCII)."""
    return "/" + str(environ.get("PATH_INFO", "")).lstrip("/")
