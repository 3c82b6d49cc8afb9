"""Schemathesis' state machine over the document's links: chained calls never fail."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass
from typing import Any

import schemathesis
from hypothesis import HealthCheck, reject, settings
from hypothesis.errors import Flaky
from schemathesis.specs.openapi.checks import use_after_free

from entrypoints.http.schemas import operation_ref
from fuzz.calls import MODES, call, check
from fuzz.mapping import install
from fuzz.run import MAPPER, STATEFUL, STATEFUL_EXAMPLES, STATEFUL_SECONDS, STATEFUL_STEPS, Run
from fuzz.world import World
from tests.http.helpers import operations

# Schemathesis 3 names a transition after its target and status code alone, so of two
# links into one operation from responses with the same status, only one is followed:
# the fuzz keeps the first, taking sources in this order (what creates or reads one object
# first, logging in last: its bundle is never empty, and would feed everything).
SOURCE_ORDER = (
    ("post", "/api/tweets/"),
    ("post", "/api/comments/"),
    ("post", "/api/likes/"),
    ("post", "/api/accounts/signup/"),
    ("post", "/api/friendships/{user_id}/follow/"),
    ("get", "/api/tweets/{tweet_id}/"),
    ("get", "/api/comments/{comment_id}/"),
    ("get", "/api/tweets/"),
    ("get", "/api/comments/"),
    ("get", "/api/newsfeeds/"),
    ("get", "/api/notifications/"),
)
# Pure reads the deep run covers, left out of the machine: Hypothesis favours the first
# enabled rule in name order, and each of these in turn soaked up most of the steps.
NOT_FOLLOWED = {
    operation_ref("get", "/api/friendships/{user_id}/followers/"),
    operation_ref("get", "/api/friendships/{user_id}/followings/"),
    operation_ref("get", "/api/profiles/{user_id}/"),
}
BASE = settings(
    stateful_step_count=STATEFUL_STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
# The links a stateful client needs most: a new tweet into reading, editing, commenting,
# liking and deleting it; a new comment into editing and deleting it.
ESSENTIAL_LINKS = {
    ("post", "/api/tweets/", "201"): {"GetTweet", "EditTweet", "DeleteTweet", "Comment"},
    ("post", "/api/comments/", "201"): {"GetComment", "EditComment", "DeleteComment"},
    ("post", "/api/likes/", "201"): {"CancelLike"},
}


def test_the_document_links_created_objects_to_the_operations_on_them(fuzz_run: Run) -> None:
    found = operations(document(fuzz_run))
    for (method, path, code), names in ESSENTIAL_LINKS.items():
        links = found[(method, path)]["responses"][code].get("links", {})
        assert names <= set(links), (method, path, code, sorted(links))


def test_linked_calls_chained_by_the_state_machine_never_fail(fuzz_run: Run) -> None:
    """Runs scenarios until FUZZ_STATEFUL_EXAMPLES are done or the time budget is spent.

    Which links a scenario can follow depends on the statuses the server answered, and
    the server's state moves on between scenarios, so Hypothesis sometimes finds that a
    choice it replays leads elsewhere (Flaky): that ends one run, and a new run goes on
    (as Schemathesis' own stateful runner does). Check failures are written down as they
    happen, so none is lost with a run."""
    schema = schemathesis.from_dict(followable(document(fuzz_run)), app=fuzz_run.app)
    # Mostly `me` by bearer token: a chain is about objects `me` makes and then uses.
    install(schema, MAPPER, ("bearer",) * 8 + MODES)
    budget = Budget(time.monotonic() + STATEFUL_SECONDS, STATEFUL_EXAMPLES)
    machine = workflow(schema, fuzz_run.world, budget)
    while budget.left() > 0:
        try:
            machine.run(settings=settings(BASE, max_examples=budget.left()))
        except Flaky:
            budget.restarts += 1
            continue
        break
    STATEFUL.notes.append(f"{budget.scenarios} scenarios, {budget.restarts} restarts")
    assert budget.scenarios > 0
    assert not STATEFUL.failures, "\n".join(STATEFUL.failures)


@dataclass
class Budget:
    deadline: float
    examples: int
    scenarios: int = 0
    restarts: int = 0

    def left(self) -> int:
        if time.monotonic() > self.deadline:
            return 0
        return max(self.examples - self.scenarios, 0)


def workflow(schema: Any, world: World, budget: Budget) -> Any:
    """The state machine of `schema`, sending and checking as the deep run does."""

    class Workflow(schema.as_state_machine()):  # type: ignore[misc]
        def setup(self) -> None:
            # Past the budget, every new scenario is rejected: Hypothesis ends the run
            # soon after, without sending anything more.
            if budget.left() == 0:
                reject()
            budget.scenarios += 1

        def call(self, case: schemathesis.Case, **kwargs: Any) -> Any:
            return call(world, STATEFUL, case)

        def validate_response(
            self, response: Any, case: schemathesis.Case, additional_checks: Any = ()
        ) -> None:
            # Written down, not raised: a replay against the changed world would differ.
            with contextlib.suppress(AssertionError):
                check(STATEFUL, case, response, use_after_free)

    return Workflow


def document(fuzz_run: Run) -> dict[str, Any]:
    spec = fuzz_run.app.test_client().get("/api/openapi.json").json
    assert isinstance(spec, dict)
    return spec


def followable(spec: dict[str, Any]) -> dict[str, Any]:
    """The document with only the links Schemathesis 3 can tell apart (see SOURCE_ORDER),
    none into NOT_FOLLOWED."""
    taken: set[tuple[str, str]] = set()

    def rank(key: tuple[str, str]) -> int:
        return SOURCE_ORDER.index(key) if key in SOURCE_ORDER else len(SOURCE_ORDER)

    found = operations(spec)
    for key in sorted(found, key=rank):
        for code, response in found[key]["responses"].items():
            links = response.get("links", {})
            for name, link in list(links.items()):
                target = (link["operationRef"], code)
                if target in taken or link["operationRef"] in NOT_FOLLOWED:
                    del links[name]
                taken.add(target)
    return spec
