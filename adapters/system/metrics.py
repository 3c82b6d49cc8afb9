"""PrometheusMetrics: the Metrics port on prometheus-client, one process or many (gunicorn)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from core.ports.metrics import Metrics

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

# prometheus-client picks its storage (in memory, or files shared by the processes of one
# server) when it is first imported, from PROMETHEUS_MULTIPROC_DIR; `chirp serve` sets that
# variable only when it starts, long after this module was imported with the container. So
# the library is imported in the methods, never at this module's import.
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0)


class PrometheusMetrics(Metrics):
    """Series named chirp_*, on a registry of this instance (so two containers in one
    process do not collide). Under a server whose workers share PROMETHEUS_MULTIPROC_DIR,
    each process writes its own files and a scrape of any worker sums every process's."""

    def __init__(self) -> None:
        from prometheus_client import CollectorRegistry, Counter, Histogram

        self._registry = on = CollectorRegistry()
        route = ("route", "method", "status")
        self._requests = Counter(
            "chirp_http_requests", "HTTP requests answered", route, registry=on
        )
        self._latency = Histogram(
            "chirp_http_request_duration_seconds", "Time to answer an HTTP request", route,
            buckets=LATENCY_BUCKETS, registry=on,
        )  # fmt: skip
        self._hits = Counter(
            "chirp_cache_hits", "Object-cache keys found in the cache", registry=on
        )
        self._misses = Counter(
            "chirp_cache_misses", "Object-cache keys read from the store", registry=on
        )
        self._lag = Histogram(
            "chirp_fanout_lag_seconds", "From a tweet's creation to a fan-out batch delivered",
            buckets=LAG_BUCKETS, registry=on,
        )  # fmt: skip
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}
        self._refused = Counter(
            "chirp_rate_limited", "Requests refused by a rate limit", ("action",), registry=on
        )

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        # The labelled children, looked up once per (route, method, status): few of them
        # (URL rules, not paths), and `labels()` costs as much as the counting itself.
        key = (route, method, status)
        children = self._children.get(key)
        if children is None:
            labels = (route, method, str(status))
            children = (self._requests.labels(*labels), self._latency.labels(*labels))
            self._children[key] = children
        children[0].inc()
        children[1].observe(seconds)

    def cache_lookups(self, hits: int, misses: int) -> None:
        # A counter's inc(0) would still create its series: only counts that happened.
        if hits:
            self._hits.inc(hits)
        if misses:
            self._misses.inc(misses)

    def fanout_lag(self, seconds: float) -> None:
        self._lag.observe(max(0.0, seconds))

    def rate_limited(self, action: str) -> None:
        self._refused.labels(action).inc()

    def exposition(self, gauges: Mapping[str, tuple[str, float]]) -> tuple[bytes, str]:
        from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

        now = _gauge_registry(gauges)
        return generate_latest(self._recorded()) + generate_latest(now), CONTENT_TYPE_LATEST

    def _recorded(self) -> CollectorRegistry:
        """This instance's registry, or under a multi-process server one that reads every
        process's files (this instance's values are among them)."""
        from prometheus_client import CollectorRegistry, multiprocess

        if not os.environ.get(MULTIPROC_DIR):
            return self._registry
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry


def _gauge_registry(gauges: Mapping[str, tuple[str, float]]) -> CollectorRegistry:
    from prometheus_client import CollectorRegistry
    from prometheus_client.core import GaugeMetricFamily
    from prometheus_client.registry import Collector

    class Now(Collector):
        def collect(self) -> list[GaugeMetricFamily]:
            return [GaugeMetricFamily(n, h, value=v) for n, (h, v) in gauges.items()]

    registry = CollectorRegistry()
    registry.register(Now())
    return registry
