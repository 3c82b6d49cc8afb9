"""The embedded profile under several worker processes: two containers on one data folder,
as two `chirp serve` workers have, each answering what the other wrote."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from adapters.memory.clock import FakeClock
from core.services.ratelimit import RateLimiter
from entrypoints.http import auth, ratelimit
from entrypoints.http.app import BLUEPRINT_MODULES, create_app
from tests.http.helpers import Account, Chirp, close_container, make_container

WIRED = [*BLUEPRINT_MODULES, auth, ratelimit]  # what create_app wires


class Worker(Chirp):
    """One worker's app. The views find their services through module-level wiring, which
    the last `create_app` points at its container; a worker wires its own before each
    request, so each answers from its own container as a forked process would."""

    def call(self, method: str, path: str, who: Account | None = None, **kwargs: Any) -> Any:
        self.container.wire(modules=WIRED)
        return super().call(method, path, who, **kwargs)


def two_workers(data_dir: Path, *, ratelimit: bool = False) -> list[Worker]:
    """Two apps on one embedded data folder, each with its own container (its own
    in-process state, as a forked worker has)."""
    containers = [make_container(data_dir, "embedded", ratelimit=ratelimit) for _ in range(2)]
    return [Worker(create_app(container), container) for container in containers]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[list[Worker]]:
    made = two_workers(tmp_path)
    yield made
    for worker in made:
        close_container(worker.container)


def sign_up_both(first: Worker) -> tuple[Account, Account]:
    return first.signup("alice_01"), first.signup("bob_0001")


def test_a_like_through_one_worker_is_seen_by_the_other_that_had_read_the_tweet(
    workers: list[Worker],
) -> None:
    first, second = workers
    alice, bob = sign_up_both(first)
    tweet = first.tweet(alice, "like me from anywhere")
    before = second.get(f"/api/tweets/{tweet['id']}/", bob).json
    assert (before["likes_count"], before["has_liked"]) == (0, False)

    assert first.like(bob, "tweet", tweet["id"]).status_code == 201
    after = second.get(f"/api/tweets/{tweet['id']}/", bob).json
    assert (after["likes_count"], after["has_liked"]) == (1, True)


def test_a_new_nickname_through_one_worker_shows_on_the_others_tweets(
    workers: list[Worker],
) -> None:
    first, second = workers
    alice, bob = sign_up_both(first)
    tweet = first.tweet(alice, "who wrote this?")
    assert second.get(f"/api/tweets/{tweet['id']}/", bob).json["user"]["nickname"] is None

    response = first.call("PUT", f"/api/profiles/{alice.id}/", alice, json={"nickname": "Al"})
    assert response.status_code == 200, response.json
    assert second.get(f"/api/tweets/{tweet['id']}/", bob).json["user"]["nickname"] == "Al"


def test_a_tweet_through_one_worker_reaches_a_feed_the_other_had_read(
    workers: list[Worker],
) -> None:
    first, second = workers
    alice, bob = sign_up_both(first)
    first.follow(bob, alice)
    assert second.feed_ids(bob) == []

    tweet = first.tweet(alice, "for my followers")
    assert second.feed_ids(bob) == [tweet["id"]]


def test_an_unread_count_read_by_one_worker_follows_a_like_through_the_other(
    workers: list[Worker],
) -> None:
    first, second = workers
    alice, bob = sign_up_both(first)
    tweet = first.tweet(alice, "tell me when liked")
    count = "/api/notifications/unread-count/"
    assert second.get(count, alice).json["unread_count"] == 0

    first.like(bob, "tweet", tweet["id"])
    assert second.get(count, alice).json["unread_count"] == 1


def test_a_rate_limit_counts_requests_to_every_worker_together(tmp_path: Path) -> None:
    clock = FakeClock()  # stands still: every request falls in one window
    workers = two_workers(tmp_path, ratelimit=True)
    for worker in workers:
        store = worker.container.rate_limit_store
        worker.container.rate_limiter.override(
            providers.Singleton(RateLimiter, store, clock, enabled=True)
        )
    statuses = [workers[n % 2].get("/api/accounts/login_status/").status_code for n in range(4)]
    assert statuses == [200, 200, 200, 429]  # "auth" allows 3 a second per IP
    for worker in workers:
        close_container(worker.container)
