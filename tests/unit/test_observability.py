"""What the core measures and how a request id travels with jobs, on the memory harness."""

from __future__ import annotations

import json

import pytest
from dependency_injector import providers

from adapters.memory.metrics import InMemoryMetrics
from container import Container
from core.domain.errors import RateLimited
from core.domain.feed import Job, JobKind
from core.services import context
from core.services.ratelimit import RateLimiter, Rule
from tests.unit.harness import Harness


@pytest.fixture
def metrics(container: Container) -> InMemoryMetrics:
    recorder = InMemoryMetrics()
    container.metrics.override(providers.Object(recorder))
    return recorder


def test_a_job_payload_round_trips_with_its_request_id() -> None:
    job = Job(id=5, kind=JobKind.FANOUT, tweet_id=7, author_id=9, request_id="req-1")
    assert Job.from_payload(json.loads(json.dumps(job.to_payload()))) == job


def test_a_payload_written_before_request_ids_still_decodes() -> None:
    old = {"id": 5, "kind": "fanout", "tweet_id": 7, "author_id": 9, "reader_ids": [1]}
    assert Job.from_payload(old).request_id is None


def test_a_bound_request_id_is_restored_after_its_block() -> None:
    with context.bound("outer"):
        with context.bound("inner"):
            assert context.request_id() == "inner"
        assert context.request_id() == "outer"
    assert context.request_id() is None


def test_a_post_outside_any_request_records_a_job_without_a_request_id(h: Harness) -> None:
    h.post(h.user())
    assert [job.request_id for job in h.queue.jobs] == [None]


def test_fan_out_batches_copy_the_request_id_of_their_job_not_the_bound_one(h: Harness) -> None:
    author, readers = h.user(), [h.user() for _ in range(3)]
    for reader in readers:
        h.follow(reader, author)
    with context.bound("posted"):
        h.post(author)
    [fanout] = h.queue.jobs
    with context.bound("unrelated"):
        h.c.fanout().run(fanout)
    batches = [j for j in h.queue.jobs if j.kind == JobKind.FANOUT_BATCH]
    assert [j.request_id for j in batches] == ["posted"]


def test_a_refused_request_is_counted_for_its_action(h: Harness, metrics: InMemoryMetrics) -> None:
    limiter = RateLimiter(
        h.c.rate_limit_store(), h.clock, {"like": (Rule(limit=1, seconds=1),)}, metrics=metrics
    )
    limiter.hit("like", "user:1")
    for _ in range(2):
        with pytest.raises(RateLimited):
            limiter.hit("like", "user:1")
    assert metrics.refused == {"like": 2}


def test_lookups_count_cache_hits_and_misses(h: Harness, metrics: InMemoryMetrics) -> None:
    tweet_id = h.post(h.user())
    h.c.lookups().tweets([tweet_id])  # now cached
    before = (metrics.hits, metrics.misses)
    h.c.lookups().tweets([tweet_id, tweet_id + 1000])
    assert (metrics.hits - before[0], metrics.misses - before[1]) == (1, 1)


def test_a_delivered_batch_measures_the_lag_since_its_tweet(
    h: Harness, metrics: InMemoryMetrics
) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    h.post(author)
    h.clock.advance(3)
    h.drain()
    assert metrics.lags == [pytest.approx(3, abs=0.01)]
