"""S3 going down mid-service: a post with photos fails whole (503, no tweet), then works.

The test stops and starts an S3 server with `scripts/services`, on a port and folder of
its own (CHIRP_S3_PORT, CHIRP_SERVICES_DIR): the shared server on 9000 stays up for the
tests that others run at the same time, and this one is always stopped at the end.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.test import TestResponse

from adapters.memory import FakeClock
from container import Container
from core.services.media import MediaSweeper
from entrypoints.http.app import create_app
from tests.http import images
from tests.http.helpers import Account, Chirp, assert_error, close_container, make_container
from tests.integration.support import free_port

pytestmark = pytest.mark.integration

SERVICES = Path(__file__).resolve().parents[2] / "scripts" / "services"


@dataclass(frozen=True)
class S3Server:
    """An S3 server of this test's own, driven through `scripts/services`."""

    port: int
    folder: Path

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        self._services("up")

    def down(self) -> None:
        self._services("down")

    def _services(self, command: str) -> None:
        env = {"CHIRP_S3_PORT": str(self.port), "CHIRP_SERVICES_DIR": str(self.folder)}
        done = subprocess.run(
            [sys.executable, str(SERVICES), command, "s3"], env={**os.environ, **env},
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        if done.returncode != 0:
            pytest.fail(f"scripts/services {command} s3 failed:\n{done.stdout}{done.stderr}")


@pytest.fixture
def s3_server(tmp_path: Path) -> Iterator[S3Server]:
    server = S3Server(port=free_port(), folder=tmp_path / "services")
    server.up()
    try:
        yield server
    finally:  # whatever the test did, its server does not outlive it
        server.down()


@pytest.fixture
def container(tmp_path: Path, s3_server: S3Server) -> Iterator[Container]:
    """The HTTP suite's full-profile container, its photos on this test's S3 server."""
    container = make_container(tmp_path / "data", "full", s3_endpoint_url=s3_server.url)
    yield container
    close_container(container)


def tweet_ids(api: Chirp, who: Account) -> list[int]:
    body = api.get(f"/api/tweets/?user_id={who.id}").json
    assert body is not None
    return [tweet["id"] for tweet in body["results"]]


def post_photos(api: Chirp, who: Account) -> TestResponse:
    files = [(io.BytesIO(images.png()), "a.png"), (io.BytesIO(images.gif()), "b.gif")]
    form = {"content": "two photos", "files": files}
    return api.post("/api/tweets/", who, data=form, content_type="multipart/form-data")


def test_a_post_with_photos_while_s3_is_down_fails_whole_and_succeeds_once_it_is_back(
    container: Container, s3_server: S3Server
) -> None:
    api = Chirp(create_app(container), container)
    alice = api.signup()
    s3_server.down()
    assert_error(post_photos(api, alice), 503)
    assert tweet_ids(api, alice) == []

    s3_server.up()
    response = post_photos(api, alice)
    tweet = response.json
    assert response.status_code == 201 and tweet is not None, tweet
    with urllib.request.urlopen(tweet["photo_urls"][0], timeout=5) as served:
        assert served.read() == images.png()
    assert tweet_ids(api, alice) == [tweet["id"]]

    two_hours_later = FakeClock(datetime.now(UTC) + timedelta(hours=2))
    sweeper = MediaSweeper(container.uow_factory(), container.blobs(), two_hours_later)
    pages = list(sweeper.sweep(delete=True))
    assert sum(page.examined for page in pages) == 2
    assert [key for page in pages for key in page.orphans] == []
