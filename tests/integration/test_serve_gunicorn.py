"""`chirp serve` as production runs it: a gunicorn master and its (gevent) workers, on the embedded
profile over a scratch data folder, driven through raw sockets on 127.0.0.1.

Idle keep-alive clients do not hold up a new one; SIGTERM lets a slow upload finish; and
two workers keep the guarantees of one process: a write through one is read through the
other, and a rate limit counts both together. Which worker answered is read from the
access log, which names the worker's pid; every loop is bounded.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.http.images import png

ROOT = Path(__file__).resolve().parents[2]
CHIRP = ROOT / ".venv" / "bin" / "chirp"
# Guards against a hang, not measurements: a starved client gets no answer at all.
START_GUARD_SECONDS = 60
ANSWER_GUARD_SECONDS = 10
IDLE_CONNECTIONS = 500
PIPELINED = 1000  # answers that fit the loopback buffers, so the server never blocks sending
SPREAD_TRIES = 200  # new connections tried until both workers have answered one
PASSWORD = "secret-pass"


class Server:
    """A `chirp serve` subprocess (its own session, so a kill reaches the workers too)."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.log = tmp_path / "serve.log"
        self.access_log = tmp_path / "access.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self, *options: str, ratelimit: bool = False, workers: int = 2) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = int(probe.getsockname()[1])
        env = {**os.environ, "CHIRP_PROFILE": "embedded", "PYTHONPATH": str(ROOT),
               "CHIRP_DATA_DIR": str(self.tmp_path / "data"),
               "CHIRP_RATELIMIT_ENABLED": str(ratelimit).lower()}  # fmt: skip
        command = [str(CHIRP), "serve", "--port", str(self.port), "--workers", str(workers),
                   "--access-log", str(self.access_log), *options]  # fmt: skip
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + START_GUARD_SECONDS
        while self.log.read_text().count("Booting worker") < workers or not self._answers():
            assert self.process.poll() is None, f"chirp serve exited:\n{self.log.read_text()}"
            assert time.monotonic() < deadline, f"not serving:\n{self.log.read_text()}"
            time.sleep(0.1)

    def _answers(self) -> bool:
        try:
            with self.connect() as conn:
                return request(conn, "GET", "/healthz/")[0] == 200
        except OSError:
            return False

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=ANSWER_GUARD_SECONDS)

    def call(
        self, method: str, path: str, body: Any = None, token: str = "", agent: str = "test"
    ) -> tuple[int, Any]:
        """One request on a new connection: (status, decoded JSON body)."""
        with self.connect() as conn:
            return request(conn, method, path, body, token, agent)

    def pids_of(self, agents: set[str]) -> set[str]:
        """The pids of the workers that answered requests made as `agents` (access log)."""
        pids = set()
        for line in self.access_log.read_text().splitlines():
            found = re.search(r'"([^"]*)" pid=<(\d+)>$', line)
            if found and found.group(1) in agents:
                pids.add(found.group(2))
        return pids

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    started = Server(tmp_path)
    yield started
    started.kill()


def request(
    conn: socket.socket, method: str, path: str, body: Any = None, token: str = "",
    agent: str = "test",
) -> tuple[int, Any]:  # fmt: skip
    """Send one keep-alive request on `conn` and read its answer: (status, JSON or None)."""
    data = b"" if body is None else json.dumps(body).encode()
    head = (f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {agent}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n")  # fmt: skip
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    conn.sendall(head.encode() + b"\r\n" + data)
    return read_answer(conn)


def read_answer(conn: socket.socket) -> tuple[int, Any]:
    """Read one answer with a Content-Length body (skipping any 100 Continue)."""
    buffer = b""
    while True:
        while b"\r\n\r\n" not in buffer:
            buffer += receive(conn)
        head, _, buffer = buffer.partition(b"\r\n\r\n")
        status = int(head.split()[1])
        if status != 100:
            break
    declared = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    assert declared is not None, head
    length = int(declared.group(1))
    while len(buffer) < length:
        buffer += receive(conn)
    return status, json.loads(buffer) if buffer else None


def receive(conn: socket.socket) -> bytes:
    chunk = conn.recv(65536)
    if not chunk:
        raise ConnectionError("the server closed the connection")
    return chunk


def sign_up(server: Server, name: str) -> tuple[str, str]:
    """(token, user id) of a new user."""
    body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
    status, answer = server.call("POST", "/api/accounts/signup/", body)
    assert status == 201, answer
    return answer["token"], answer["user"]["id"]


def test_idle_keep_alive_connections_do_not_hold_up_a_new_client(server: Server) -> None:
    server.start("--threads", "2", "--keep-alive", "120")
    held = [server.connect() for _ in range(IDLE_CONNECTIONS)]
    try:
        for conn in held:  # each answered once, then left open and idle
            assert request(conn, "GET", "/healthz/")[0] == 200
        for _ in range(20):  # a new client, on new connections, is answered
            assert server.call("GET", "/api/accounts/login_status/")[0] == 200
        for conn in held:  # the idle ones were held open all along, not dropped
            assert request(conn, "GET", "/healthz/")[0] == 200
    finally:
        for conn in held:
            conn.close()


def test_a_client_pipelining_requests_does_not_hold_up_another_on_the_same_worker(
    server: Server,
) -> None:
    server.start(workers=1)
    with server.connect() as busy, server.connect() as other:
        for conn in (busy, other):  # both accepted by the one worker
            assert request(conn, "GET", "/healthz/")[0] == 200
        busy.sendall(b"GET /healthz/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" * PIPELINED)
        received = receive(busy)  # the worker is going through them
        assert request(other, "GET", "/healthz/")[0] == 200
        busy.setblocking(False)
        with contextlib.suppress(BlockingIOError):
            while chunk := busy.recv(1 << 20):
                received += chunk
    # Without turns, the busy connection's requests were all answered before the other's
    # one (its greenlet never blocked on a read); with them, a few were.
    assert received.count(b"HTTP/1.1 200") < PIPELINED


def multipart(fields: dict[str, str], photo: bytes, boundary: str) -> bytes:
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="dot.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + photo
        + b"\r\n"
    )
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def test_sigterm_during_a_slow_upload_answers_it_then_exits_cleanly(server: Server) -> None:
    server.start()
    token, _ = sign_up(server, "alice_01")
    boundary = "chirpboundary"
    body = multipart({"content": "posted while stopping"}, png(), boundary)
    head = (
        "POST /api/tweets/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nContent-Length: {len(body)}\r\n"
        f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
        # gunicorn answers 100 Continue once a worker holds the request: it is in flight.
        "Expect: 100-continue\r\n\r\n"
    )
    with server.connect() as conn:
        conn.sendall(head.encode())
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += receive(conn)
        assert interim.startswith(b"HTTP/1.1 100 Continue")
        assert server.process is not None
        server.process.send_signal(signal.SIGTERM)
        pieces = [
            body[i : i + len(body) // 10 + 1] for i in range(0, len(body), len(body) // 10 + 1)
        ]
        for piece in pieces:  # about a second in all
            time.sleep(0.1)
            conn.sendall(piece)
        status, tweet = read_answer(conn)
    assert status == 201, tweet
    assert tweet["content"] == "posted while stopping" and len(tweet["photo_urls"]) == 1
    assert server.process.wait(timeout=60) == 0


def read_until_both_workers_answered(server: Server, path: str, token: str, tag: str) -> list[Any]:
    """GET `path` through new connections until each of the two workers has answered one
    (by the access log, which a worker writes just after answering); the bodies."""
    answers, agents = [], set()
    for attempt in range(SPREAD_TRIES):
        agents.add(f"{tag}-{attempt}")
        status, answer = server.call("GET", path, token=token, agent=f"{tag}-{attempt}")
        assert status == 200, answer
        answers.append(answer)
        if len(server.pids_of(agents)) == 2:
            return answers
    pytest.fail(f"{SPREAD_TRIES} new connections all went to one worker")


def test_a_like_through_one_worker_is_read_through_both(server: Server) -> None:
    server.start()
    alice, _ = sign_up(server, "alice_01")
    bob, _ = sign_up(server, "bob_0001")
    status, tweet = server.call("POST", "/api/tweets/", {"content": "like me anywhere"}, alice)
    assert status == 201, tweet
    path = f"/api/tweets/{tweet['id']}/"
    before = read_until_both_workers_answered(server, path, bob, "before")
    assert {(t["likes_count"], t["has_liked"]) for t in before} == {(0, False)}

    like = {"content_type": "tweet", "object_id": tweet["id"]}
    assert server.call("POST", "/api/likes/", like, bob)[0] == 201
    after = read_until_both_workers_answered(server, path, bob, "after")
    assert {(t["likes_count"], t["has_liked"]) for t in after} == {(1, True)}


def test_a_rate_limit_of_three_a_second_is_three_across_both_workers(server: Server) -> None:
    server.start(ratelimit=True)
    for attempt in range(10):  # until one burst fits in one second and reaches both workers
        while time.time() % 1 > 0.2:  # start early in a second
            time.sleep(0.01)
        second = int(time.time())
        agents = {f"burst{attempt}-{n}" for n in range(8)}
        statuses = [server.call("GET", "/api/accounts/login_status/", agent=a)[0] for a in agents]
        if int(time.time()) == second and len(server.pids_of(agents)) == 2:
            break
        time.sleep(1)
    else:
        pytest.fail("no burst of 8 requests fell within one second on both workers")
    # "auth" allows 3 a second per IP; one count per worker would let up to 6 through.
    assert sorted(statuses) == [200] * 3 + [429] * 5
