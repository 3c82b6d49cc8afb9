"""/metrics under `chirp serve --workers 2`: whichever worker answers, the counts of both.

The server is the one of test_serve_gunicorn (embedded profile, a scratch data folder, a
free port); which worker answered a request is read from gunicorn's access log.
"""

from __future__ import annotations

import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.integration.test_serve_gunicorn import Server

SPREAD_GUARD_SECONDS = 60
READY = 'chirp_http_requests_total{method="GET",route="/readyz/",status="200"}'


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path)
    yield started
    started.kill()


def scrape(server: Server) -> dict[str, float]:
    """The samples of one /metrics answer, by name{labels} as written."""
    url = f"http://127.0.0.1:{server.port}/metrics"
    with urllib.request.urlopen(url, timeout=10) as answer:
        assert answer.status == 200
        text = answer.read().decode()
    samples = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(sample.labels.items()))
            samples[f"{sample.name}{{{labels}}}" if labels else sample.name] = sample.value
    return samples


def test_a_scrape_of_either_worker_sums_the_requests_both_answered(server: Server) -> None:
    server.start()
    agents: set[str] = set()
    # A guard against a hang, not a measurement: on a loaded machine the second worker may
    # take a while to start accepting, so the tries are spread out instead of counted.
    deadline = time.monotonic() + SPREAD_GUARD_SECONDS
    while len(server.pids_of(agents)) < 2 or len(agents) < 4:
        assert time.monotonic() < deadline, "every new connection went to one worker"
        agent = f"ready-{len(agents)}"
        agents.add(agent)
        assert server.call("GET", "/readyz/", agent=agent)[0] == 200
        time.sleep(0.02)
    # Each scrape is a new connection, answered by either worker: all see every request.
    scrapes = [scrape(server) for _ in range(6)]
    assert {s[READY] for s in scrapes} == {float(len(agents))}
    assert all(s["chirp_outbox_depth"] == 0 for s in scrapes)


def metric_folders_of(master: int) -> set[Path]:
    """The folders holding metric files of `master`'s workers (other servers may be running
    tests beside this one: their folders hold other pids' files)."""
    listed = subprocess.run(["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True)
    workers = {int(pid) for pid in listed.stdout.split()}
    root = Path(tempfile.gettempdir())
    return {
        folder
        for folder in root.glob("chirp-metrics-*")
        if any((folder / f"counter_{pid}.db").exists() for pid in workers)
    }


def test_the_metrics_folder_is_removed_when_the_server_stops(server: Server) -> None:
    server.start()  # which asked /healthz/ until a worker answered: that worker counted it
    assert server.process is not None
    folders = metric_folders_of(server.process.pid)
    assert len(folders) == 1
    server.process.terminate()
    assert server.process.wait(timeout=60) == 0
    assert not folders.pop().exists()
