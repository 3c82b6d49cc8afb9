"""Helpers of the HTTP tests: the profile knob, a small API driver and error assertions."""

from __future__ import annotations

import itertools
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from container import Container, build_container
from core.domain.ids import MAX_ID
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url

# The profiles the whole HTTP suite runs on (the `profile` fixture of conftest.py).
PROFILES = ["embedded", "full"]
FULL_REDIS_URL = "redis://127.0.0.1:6379/13"
PASSWORD = "secret-pass"
# scrypt's cost in these tests: OWASP's (the default) takes about a second per signup here.
TEST_SCRYPT_N = 2**10
ID_TEXT = re.compile("[1-9][0-9]{0,18}")
_names = itertools.count(1)


@dataclass(frozen=True)
class Account:
    """A signed-up user of a test, with their bearer token (`id` as the API writes it)."""

    id: str
    username: str
    token: str

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_container(
    data_dir: Path, profile: str, *, ratelimit: bool = False, **settings: Any
) -> Container:
    """A container on `profile` over empty stores, running the worker's roles in this
    process (as `chirp worker` would): a temp data dir, and on `full` an emptied MariaDB
    database, Redis db 13, Memcached (flushed) and a RabbitMQ queue of its own. `settings`
    override the rest, before anything connects."""
    if profile != "full":
        container = build_container(
            Settings(
                profile=profile,
                data_dir=data_dir,
                ratelimit_enabled=ratelimit,
                scrypt_n=TEST_SCRYPT_N,
                **settings,
            )
        )
    else:
        container = build_container(
            Settings(
                profile="full",
                data_dir=data_dir,
                ratelimit_enabled=ratelimit,
                scrypt_n=TEST_SCRYPT_N,
                mysql_url=fresh_mysql_url("chirp_test_http"),
                redis_url=FULL_REDIS_URL,
                queue_name="chirp-test-http",
                job_min_backoff_ms=20,
                **settings,
            )
        )
        container.redis().flushdb()
        container.memcached().flush_all()
    if profile != "memory":
        container.worker_roles()
    return container


def close_container(container: Container) -> None:
    """Let background jobs finish, then release the wiring, the workers and the pools."""
    settle(container)
    container.unwire()
    container.shutdown_resources()


def settle(container: Container) -> None:
    """Wait until every background job recorded so far (fan-out, retraction) has run."""
    if container.settings().profile == "memory":
        container.task_queue().drain(container.fanout().run)
    else:
        assert container.dispatcher().settle(30), "background jobs did not finish"


@dataclass(frozen=True)
class Fetched:
    status_code: int
    mimetype: str
    data: bytes


def blob_path(url: str) -> str:
    """The part of a blob URL that names the blob: a presigned URL's signature changes
    with every call, its path does not."""
    return urlsplit(url).path


class Chirp:
    """Drives the API like a client: requests plus the few steps most tests share."""

    def __init__(self, app: Flask, container: Container) -> None:
        self.app = app
        self.container = container
        self.client: FlaskClient = app.test_client(use_cookies=False)

    def call(
        self, method: str, path: str, who: Account | None = None, **kwargs: Any
    ) -> TestResponse:
        headers = {**(who.auth if who else {}), **kwargs.pop("headers", {})}
        return self.client.open(path, method=method, headers=headers, **kwargs)

    def fetch(self, url: str) -> Fetched:
        """What a client gets from a photo or avatar URL: a path of this app (/media/ on the
        local-folder store), or an absolute URL (a presigned S3 URL on `full`)."""
        if not urlsplit(url).scheme:
            served = self.client.get(url)
            return Fetched(served.status_code, served.mimetype, served.data)
        try:
            with urllib.request.urlopen(url, timeout=10) as answer:
                return Fetched(answer.status, answer.headers.get_content_type(), answer.read())
        except urllib.error.HTTPError as error:
            return Fetched(error.code, "", b"")

    def get(self, path: str, who: Account | None = None, **kwargs: Any) -> TestResponse:
        return self.call("GET", path, who, **kwargs)

    def post(self, path: str, who: Account | None = None, **kwargs: Any) -> TestResponse:
        return self.call("POST", path, who, **kwargs)

    def signup(self, username: str | None = None, password: str = PASSWORD) -> Account:
        name = username or f"user_{next(_names):04d}"
        body = {"username": name, "email": f"{name}@example.com", "password": password}
        response = self.post("/api/accounts/signup/", json=body)
        assert response.status_code == 201, response.json
        user = response.json["user"]
        return Account(id=user["id"], username=user["username"], token=response.json["token"])

    def admin(self) -> Account:
        """An admin (made as `chirp users create-admin` does), logged in."""
        self.container.accounts().create_admin("admin_01", "admin@example.com", PASSWORD)
        body = {"username": "admin_01", "password": PASSWORD}
        response = self.post("/api/accounts/login/", json=body)
        assert response.status_code == 200, response.json
        user = response.json["user"]
        return Account(id=user["id"], username=user["username"], token=response.json["token"])

    def tweet(self, who: Account, content: str = "hello, world", **kwargs: Any) -> dict[str, Any]:
        response = self.post("/api/tweets/", who, json={"content": content}, **kwargs)
        assert response.status_code == 201, response.json
        return response.json

    def follow(self, who: Account, whom: Account) -> TestResponse:
        response = self.post(f"/api/friendships/{whom.id}/follow/", who)
        assert response.status_code == 201, response.json
        return response

    def comment(self, who: Account, tweet_id: str, content: str = "nice one") -> dict[str, Any]:
        body = {"tweet_id": tweet_id, "content": content}
        response = self.post("/api/comments/", who, json=body)
        assert response.status_code == 201, response.json
        return response.json

    def like(self, who: Account, content_type: str, object_id: str | int) -> TestResponse:
        body = {"content_type": content_type, "object_id": object_id}
        return self.post("/api/likes/", who, json=body)

    def feed_ids(self, who: Account, query: str = "") -> list[str]:
        self.settle()
        response = self.get(f"/api/newsfeeds/{query}", who)
        assert response.status_code == 200, response.json
        return [item["id"] for item in response.json["results"]]

    def settle(self) -> None:
        settle(self.container)

    def tick(self) -> None:
        """Let time pass between two requests on a fake clock (a real one moves by itself)."""
        clock = self.container.clock()
        if hasattr(clock, "advance"):
            clock.advance(0.001)


def is_id(value: Any) -> bool:
    """Whether a response value is an id as the API writes it: a decimal string of a
    positive 63-bit integer, without sign or leading zero."""
    return isinstance(value, str) and bool(ID_TEXT.fullmatch(value)) and int(value) <= MAX_ID


def assert_error(response: TestResponse, status: int, field: str | None = None) -> None:
    """The response is the API's error body with `status` (naming `field` when given)."""
    assert response.status_code == status, (response.status_code, response.get_data(True))
    body = response.json
    assert set(body) == {"success", "code", "message", "errors"}
    assert body["success"] is False and body["code"] == status
    assert isinstance(body["message"], str) and "\n" not in body["message"]
    if field is not None:
        assert field in body["errors"], body


def operations(spec: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Every operation of an OpenAPI document by (method, path)."""
    return {
        (method, path): operation
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method != "parameters"
    }


def concrete(path: str) -> str:
    """A document path with every parameter filled in with an id that names nothing."""
    return re.sub(r"\{[^}]+\}", "123", path)
