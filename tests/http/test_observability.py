"""Observability: /metrics series, X-Request-Id, request ids in log lines and in jobs.

On the memory profile (its object cache gives hits, its queue runs jobs when drained),
with rate limits on, so a refusal can be counted.
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from container import Container
from core.domain.feed import JobKind
from entrypoints.cli.common import RequestIdFilter, configure_logging
from entrypoints.http.app import create_app, trust_proxies
from tests.http.helpers import Account, Chirp, close_container, make_container

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
TWEET_ROUTE = "/api/tweets/<id:tweet_id>/"


@pytest.fixture
def container(tmp_path: Path) -> Iterator[Container]:
    container = make_container(tmp_path, "memory", ratelimit=True)
    yield container
    close_container(container)


@pytest.fixture
def api(container: Container) -> Chirp:
    app = create_app(container)
    app.config["TESTING"] = True
    return Chirp(app, container)


@pytest.fixture
def log_lines() -> Iterator[Callable[[str], io.StringIO]]:
    """Configure chirp's logging (text or json) into a string, as a process would; the
    logging setup of the test run comes back after."""
    root, chirp = logging.getLogger(), logging.getLogger("chirp")
    levels, handlers = (root.level, chirp.level), list(root.handlers)
    yield _configured
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(levels[0])
    chirp.setLevel(levels[1])


def _configured(log_format: str) -> io.StringIO:
    stream = io.StringIO()
    configure_logging(log_format, "INFO", stream)
    return stream


def scrape(api: Chirp) -> Samples:
    """Every sample /metrics exposes, by (name, labels)."""
    response = api.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    samples: Samples = {}
    for family in text_string_to_metric_families(response.get_data(as_text=True)):
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples


def sample(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_count_requests_per_url_rule_with_latency_buckets(
    api: Chirp, alice: Account
) -> None:
    tweet = api.tweet(alice)
    for path in (f"/api/tweets/{tweet['id']}/", "/api/tweets/99/", "/api/tweets/98/"):
        api.tick()
        api.get(path)
    samples = scrape(api)
    found = {"route": TWEET_ROUTE, "method": "GET", "status": "200"}
    missing = {**found, "status": "404"}
    assert sample(samples, "chirp_http_requests_total", **found) == 1
    assert sample(samples, "chirp_http_requests_total", **missing) == 2
    assert sample(samples, "chirp_http_request_duration_seconds_count", **missing) == 2
    assert sample(samples, "chirp_http_request_duration_seconds_bucket", le="+Inf", **missing) == 2
    raw_paths = [labels for name, labels in samples if ("route", "/api/tweets/99/") in labels]
    assert raw_paths == []


def test_metrics_count_object_cache_hits_and_misses(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    api.get(f"/api/tweets/{tweet['id']}/")
    before = scrape(api)
    api.tick()
    api.get(f"/api/tweets/{tweet['id']}/")
    after = scrape(api)
    assert sample(before, "chirp_cache_misses_total") >= 1
    # The second read finds the tweet and its author in the cache and misses nothing new.
    assert sample(after, "chirp_cache_hits_total") >= sample(before, "chirp_cache_hits_total") + 2
    assert sample(after, "chirp_cache_misses_total") == sample(before, "chirp_cache_misses_total")


def test_metrics_count_rate_limit_refusals_per_action(api: Chirp) -> None:
    statuses = [api.get("/api/accounts/login_status/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    samples = scrape(api)
    assert sample(samples, "chirp_rate_limited_total", action="auth") == 1
    assert sample(samples, "chirp_rate_limited_total", action="read") == 0


def test_metrics_is_neither_rate_limited_nor_an_api_operation(api: Chirp) -> None:
    assert {api.get("/metrics").status_code for _ in range(30)} == {200}
    assert "X-RateLimit-Limit" not in api.get("/metrics").headers
    assert not [p for p in api.get("/api/openapi.json").json["paths"] if "metrics" in p]


def test_metrics_report_the_outbox_depth_while_the_queue_is_down(
    api: Chirp, container: Container, alice: Account
) -> None:
    assert sample(scrape(api), "chirp_outbox_depth") == 0
    container.task_queue().available = False
    api.tweet(alice)  # its fan-out job cannot be published: it waits in the outbox
    assert sample(scrape(api), "chirp_outbox_depth") == 1
    container.task_queue().available = True
    container.dispatcher().relay()
    assert sample(scrape(api), "chirp_outbox_depth") == 0


def test_metrics_measure_the_fan_out_lag_of_each_delivered_batch(
    api: Chirp, container: Container, alice: Account, bob: Account
) -> None:
    api.follow(bob, alice)
    api.tweet(alice)
    container.clock().advance(2)
    api.settle()
    samples = scrape(api)
    assert sample(samples, "chirp_fanout_lag_seconds_count") == 1
    assert sample(samples, "chirp_fanout_lag_seconds_sum") >= 2
    assert sample(samples, "chirp_fanout_lag_seconds_bucket", le="1.0") == 0


def test_a_sane_request_id_is_echoed_and_any_other_replaced(api: Chirp) -> None:
    given = api.get("/healthz/", headers={"X-Request-Id": "edge-7.a_B"})
    assert given.headers["X-Request-Id"] == "edge-7.a_B"
    generated = {api.get("/healthz/").headers["X-Request-Id"] for _ in range(2)}
    assert len(generated) == 2
    for insane in ("has space", "x" * 65, "semi;colon", ""):
        echoed = api.get("/healthz/", headers={"X-Request-Id": insane}).headers["X-Request-Id"]
        assert echoed != insane and len(echoed) == 32


def test_the_log_lines_of_a_request_carry_its_id(
    api: Chirp, container: Container, alice: Account, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(RequestIdFilter())  # what configure_logging's handler has
    container.task_queue().available = False  # so the relay logs a warning mid-request
    with caplog.at_level(logging.INFO):
        api.tweet(alice, headers={"X-Request-Id": "req-42"})
    mine = {r.name: r for r in caplog.records if getattr(r, "request_id", None) == "req-42"}
    assert {"chirp.dispatch", "chirp.access"} <= set(mine)
    assert "POST /api/tweets/ 201" in mine["chirp.access"].getMessage()
    assert mine["chirp.access"].client == "127.0.0.1"  # type: ignore[attr-defined]


def test_json_log_lines_parse_with_time_level_logger_message_and_request_id(
    api: Chirp, log_lines: Callable[[str], io.StringIO]
) -> None:
    stream = log_lines("json")
    api.get("/api/tweets/77/", headers={"X-Request-Id": "json-1"})
    logging.getLogger("chirp.test").warning("outside a request")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    access, outside = lines[-2], lines[-1]
    assert access["logger"] == "chirp.access" and access["request_id"] == "json-1"
    assert (access["method"], access["path"], access["status"]) == ("GET", "/api/tweets/77/", 404)
    assert access["time"].endswith("Z") and access["level"] == "INFO"
    assert (outside["message"], outside["request_id"]) == ("outside a request", "-")


def test_the_jobs_a_post_records_carry_its_request_id_into_every_batch(
    api: Chirp, container: Container, alice: Account, bob: Account,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    api.follow(bob, alice)
    tweet = api.tweet(alice, headers={"X-Request-Id": "post-7"})
    [fanout] = container.task_queue().jobs
    assert (fanout.kind, fanout.request_id) == (JobKind.FANOUT, "post-7")
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="chirp.jobs"):
        api.settle()  # the fan-out job, then the batch it split off
        api.call("DELETE", f"/api/tweets/{tweet['id']}/", alice, headers={"X-Request-Id": "del-8"})
        api.settle()
    ran = [
        (r.getMessage().split()[2], r.request_id) for r in caplog.records if r.name == "chirp.jobs"
    ]  # type: ignore[attr-defined]
    assert ran == [
        ("fanout", "post-7"), ("fanout_batch", "post-7"),
        ("retract", "del-8"), ("retract_batch", "del-8"),
    ]  # fmt: skip


def test_text_log_lines_start_with_utc_time_level_logger_and_request_id(
    api: Chirp, log_lines: Callable[[str], io.StringIO]
) -> None:
    stream = log_lines("text")
    api.get("/healthz/", headers={"X-Request-Id": "text-1"})
    line = stream.getvalue().splitlines()[-1]
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z INFO chirp\.access \[text-1\] "
        r"GET /healthz/ 200 \d+\.\dms 127\.0\.0\.1",
        line,
    ), line


def test_the_access_line_names_the_client_a_trusted_proxy_forwarded_for(
    api: Chirp, caplog: pytest.LogCaptureFixture
) -> None:
    trust_proxies(api.app, 1)
    forwarded = {"X-Forwarded-For": "203.0.113.9"}
    with caplog.at_level(logging.INFO, logger="chirp.access"):
        api.get("/healthz/", headers=forwarded)
    [line] = [r for r in caplog.records if r.name == "chirp.access"]
    assert line.client == "203.0.113.9"  # type: ignore[attr-defined]
