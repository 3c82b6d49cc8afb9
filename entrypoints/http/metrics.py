"""GET /metrics: the Prometheus text exposition (not rate limited, not in the OpenAPI document).

It is a plain Flask route, not a flask-smorest operation: a scraper is no API client, and
keeping it out of the document keeps the document the API's. No `@limited` mark, so the
rate limiter never counts it. Under `chirp serve` any worker answers with every worker's
counts summed (prometheus-client's multi-process files).
"""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Flask, Response

from container import Container
from core.domain.errors import Unavailable
from core.ports.metrics import Metrics
from core.services.fanout import FanoutService

PATH = "/metrics"
OUTBOX_DEPTH = "chirp_outbox_depth"


@inject
def outbox_depth(fanout: FanoutService = Provide[Container.fanout]) -> float:
    """The outbox's depth now; NaN while its store is down, so a scrape still reports every
    other series (the scrape is how an operator sees the outage)."""
    try:
        return float(fanout.outbox_depth())
    except Unavailable:
        return float("nan")


@inject
def scrape(metrics: Metrics = Provide[Container.metrics]) -> Response:
    gauges = {OUTBOX_DEPTH: ("Jobs recorded and not yet published", outbox_depth())}
    body, content_type = metrics.exposition(gauges)
    return Response(body, content_type=content_type)


def init_app(app: Flask) -> None:
    app.add_url_rule(PATH, endpoint="metrics", view_func=scrape, methods=["GET"])
