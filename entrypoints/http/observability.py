"""Each request's id (X-Request-Id), access log line and measurements, from the app itself.

Rules:
- A request's id is its X-Request-Id header when that is a sane token (1-64 characters of
  [A-Za-z0-9._-]), else a new random one; the response echoes it. Anything else a client
  sends (spaces, newlines, a novel) is replaced, so it cannot forge or break log lines.
- The id is bound (`core.services.context`) from the first before_request hook to the
  request's teardown: every log line written meanwhile carries it, and so does every job
  the request records. These hooks are registered before any other, so a request another
  hook refuses (429, 413) still has its id, its access line and its measurement.
- Measurements are labelled by URL rule (`/api/tweets/<id:tweet_id>/`), never by the raw
  path, so a label's values stay few; a path no rule matches counts as "unmatched".
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from dependency_injector.wiring import Provide, inject
from flask import Flask, Response, g, request

from container import Container
from core.ports.metrics import Metrics
from core.services import context

HEADER = "X-Request-Id"
SANE_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
UNMATCHED = "unmatched"
# A request begun in front of Flask (`hotlane`) and handed to it keeps its id and start.
HANDED_ID = "chirp.request_id"
HANDED_START = "chirp.request_started"
access_log = logging.getLogger("chirp.access")


def request_id_of(given: str | None) -> str:
    """The id of a request that sent `given` as its X-Request-Id (None: no header)."""
    if given is not None and SANE_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex


def begin_request() -> None:
    """before_request (the first): the request's id, bound, and its start time."""
    environ = request.environ
    g.request_id = environ.get(HANDED_ID) or request_id_of(request.headers.get(HEADER))
    g.request_token = context.bind(g.request_id)
    g.request_started = environ.get(HANDED_START) or time.perf_counter()


@inject
def finish_request(response: Response, metrics: Metrics = Provide[Container.metrics]) -> Response:
    """after_request: echo the id, measure the request and write its access line."""
    response.headers[HEADER] = g.get("request_id") or request_id_of(None)
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule is not None else UNMATCHED
    status = response.status_code
    record(metrics, request.method, request.path, status, seconds, route, request.remote_addr)
    return response


def record(
    metrics: Metrics,
    method: str,
    path: str,
    status: int,
    seconds: float,
    route: str,
    client: str | None,
) -> None:
    """Measure one answered request and write its access line."""
    metrics.request(route, method, status, seconds)
    fields = {
        "method": method,
        "path": path,
        "status": status,
        "latency_ms": round(seconds * 1000, 1),
        "client": client or "-",
    }
    access_log.info("%s %s %d %.1fms %s", *fields.values(), extra=fields)


def end_request(_error: BaseException | None) -> None:
    """teardown_request: unbind the id, so the thread's next request starts clean."""
    token = g.pop("request_token", None)
    if token is not None:
        context.unbind(token)


def init_app(app: Flask) -> None:
    """Register the hooks; call before every other `init_app` that adds request hooks.
    Flask runs after_request hooks last-registered first, so `finish_request` sees the
    response every other hook has finished with."""
    app.before_request_funcs.setdefault(None, []).insert(0, begin_request)
    app.after_request_funcs.setdefault(None, []).insert(0, finish_request)
    app.teardown_request(end_request)
