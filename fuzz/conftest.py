"""Fixtures of the fuzz run: one embedded app, rate limits off, a seeded world; the summary."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis

from entrypoints.http.app import create_app
from fuzz.run import DEEP, MAPPER, STATEFUL, Run
from fuzz.world import World
from tests.http.helpers import Chirp, close_container, make_container


@pytest.fixture(scope="session")
def fuzz_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    # Rate limits off: a limited fuzz would spend its examples on 429s. Live streams end
    # after 50 ms (each would otherwise hold its call for an hour), beating every 20 ms.
    container = make_container(
        tmp_path_factory.mktemp("fuzz"),
        "embedded",
        ratelimit=False,
        stream_heartbeat_ms=20,
        stream_max_ms=50,
    )
    app = create_app(container)
    world = World.seed(Chirp(app, container))
    MAPPER.world = world
    yield Run(app=app, container=container, world=world)
    MAPPER.world = None
    close_container(container)


@pytest.fixture(scope="session")
def fuzz_schema(fuzz_run: Run) -> schemathesis.BaseSchema:
    return schemathesis.from_wsgi("/api/openapi.json", fuzz_run.app)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for title, tally in (("deep run", DEEP), ("stateful run", STATEFUL)):
        if tally.statuses:
            terminalreporter.section(title)
            for line in tally.lines(title):
                terminalreporter.write_line(line)
