"""Live streams on the real process types: `chirp serve` on embedded (gevent workers holding
streams, jobs and the API together) and, on full, `chirp stream` beside `chirp serve` and
`chirp worker`, with Redis pub/sub between them. Driven over sockets on 127.0.0.1."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.contract.sql_backends import fresh_mysql_url
from tests.integration.support import free_port, wait_for
from tests.sse import EventReader

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
CHIRP = ROOT / ".venv" / "bin" / "chirp"
START_GUARD_SECONDS = 60
STREAM = "/api/newsfeeds/stream/"
PASSWORD = "secret-pass"


class Processes:
    """chirp subprocesses sharing one environment, each in its own session (a kill reaches
    its workers too), logging to files of the test's folder."""

    def __init__(self, env: dict[str, str], folder: Path) -> None:
        self.env = env
        self.folder = folder
        self.running: list[subprocess.Popen[bytes]] = []

    def start(self, *args: str, port: int | None = None) -> subprocess.Popen[bytes]:
        log = self.folder / f"{args[0]}-{len(self.running)}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [str(CHIRP), *args], env=self.env, stdout=output, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.running.append(process)
        if port is not None:
            wait_for(lambda: _answers(port, process, log), START_GUARD_SECONDS, f"{args} up")
        return process

    def run(self, *args: str) -> None:
        subprocess.run([str(CHIRP), *args], env=self.env, check=True, capture_output=True)

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _answers(port: int, process: subprocess.Popen[bytes], log: Path) -> bool:
    assert process.poll() is None, f"exited:\n{log.read_text()}"
    try:
        return call(port, "GET", "/healthz/")[0] == 200
    except OSError:
        return False


def call(port: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[int, Any]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        conn.request(method, path, None if body is None else json.dumps(body), headers)
        answer = conn.getresponse()
        data = answer.read()
        return answer.status, json.loads(data) if data else None
    finally:
        conn.close()


def signup(port: int, name: str) -> tuple[str, str]:
    status, body = call(port, "POST", "/api/accounts/signup/", {
        "username": name, "email": f"{name}@example.com", "password": PASSWORD})  # fmt: skip
    assert status == 201, body
    return body["user"]["id"], body["token"]


def open_stream(port: int, token: str) -> EventReader:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", STREAM, headers={"Authorization": f"Bearer {token}"})
    answer = conn.getresponse()
    assert answer.status == 200, answer.read()

    def chunks() -> Iterator[bytes]:
        while chunk := answer.read1(65536):
            yield chunk

    reader = EventReader(chunks(), on_close=conn.close)
    reader.next("comment")  # connected
    return reader


def base_env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "CHIRP_DATA_DIR": str(tmp_path / "data"),
            "CHIRP_RATELIMIT_ENABLED": "false", "CHIRP_SCRYPT_N": "1024",
            "CHIRP_STREAM_HEARTBEAT_MS": "200", "CHIRP_RELAY_INTERVAL_MS": "50"}  # fmt: skip


@pytest.fixture
def processes(tmp_path: Path) -> Iterator[Processes]:
    started = Processes(base_env(tmp_path), tmp_path)
    yield started
    started.stop_all()


def test_embedded_workers_tell_every_follower_whichever_worker_holds_their_stream(
    processes: Processes,
) -> None:
    port = free_port()
    processes.env["CHIRP_PROFILE"] = "embedded"
    server = processes.start("serve", "--port", str(port), "--workers", "2", port=port)
    author_id, author = signup(port, "author_01")
    readers = []
    for n in range(6):  # new connections: the kernel spreads them over both workers
        _, token = signup(port, f"reader_{n:02d}")
        assert call(port, "POST", f"/api/friendships/{author_id}/follow/", token=token)[0] == 201
        readers.append(open_stream(port, token))
    status, tweet = call(port, "POST", "/api/tweets/", {"content": "to every worker"}, author)
    assert status == 201
    for reader in readers:
        assert reader.next("tweet").json["id"] == tweet["id"]
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    server.wait(25)  # well under the 30 s graceful timeout: open streams were ended
    assert time.monotonic() - started < 20
    for reader in readers:
        assert reader.ended.wait(5), "a stream was left open by a stopped server"


@pytest.fixture
def full_env(processes: Processes) -> Processes:
    processes.env.update({
        "CHIRP_PROFILE": "full", "CHIRP_MYSQL_URL": fresh_mysql_url("chirp_test_stream"),
        "CHIRP_REDIS_URL": "redis://127.0.0.1:6379/12", "CHIRP_QUEUE_NAME": "chirp-test-stream",
    })  # fmt: skip
    return processes


def test_on_full_the_stream_server_hears_the_worker_through_redis(full_env: Processes) -> None:
    api_port, stream_port = free_port(), free_port()
    full_env.start("serve", "--port", str(api_port), "--workers", "1", port=api_port)
    full_env.start("stream", "--port", str(stream_port), port=stream_port)
    full_env.start("worker")
    author_id, author = signup(api_port, "author_01")
    _, reader_token = signup(api_port, "reader_01")
    call(api_port, "POST", f"/api/friendships/{author_id}/follow/", token=reader_token)
    assert call(api_port, "GET", STREAM, token=reader_token)[0] == 404  # not the API's job
    reader = open_stream(stream_port, reader_token)
    author_live = open_stream(stream_port, author)
    status, tweet = call(api_port, "POST", "/api/tweets/", {"content": "heard on redis"}, author)
    assert status == 201
    assert reader.next("tweet").json["id"] == tweet["id"]
    assert author_live.next("tweet").json["id"] == tweet["id"]
    like = {"content_type": "tweet", "object_id": tweet["id"]}
    assert call(api_port, "POST", "/api/likes/", like, reader_token)[0] == 201
    note = author_live.next("notification").json
    # The follow was the first notification, unread too.
    assert note["unread_count"] == 2 and note["notification"]["verb"] == "liked your tweet"
    assert call(api_port, "DELETE", f"/api/tweets/{tweet['id']}/", token=author)[0] == 200
    assert reader.next("delete").json == {"id": tweet["id"]}
    reader.close()
    author_live.close()


def test_a_client_that_stops_reading_holds_up_no_one(processes: Processes) -> None:
    port = free_port()
    processes.env["CHIRP_PROFILE"] = "embedded"
    processes.start("serve", "--port", str(port), "--workers", "1", port=port)
    author_id, author = signup(port, "author_01")
    tokens = [signup(port, name)[1] for name in ("stalled_1", "brisk_01")]
    for token in tokens:
        call(port, "POST", f"/api/friendships/{author_id}/follow/", token=token)
    with socket.socket() as stalled:  # one worker: the stalled stream shares it with all
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", port))
        stalled.sendall(f"GET {STREAM} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                        f"{tokens[0]}\r\n\r\n".encode())  # fmt: skip
        brisk = open_stream(port, tokens[1])
        words = "word " * 27  # 135 characters: about 700 bytes an event
        for n in range(100):
            body = {"content": f"{n:03d} {words}"}
            status, tweet = call(port, "POST", "/api/tweets/", body, author)
            assert status == 201
            assert brisk.next("tweet").json["id"] == tweet["id"]
        brisk.close()
