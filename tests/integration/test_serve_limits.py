"""`chirp serve` (gunicorn) refuses a body over its route's limit at once, without reading it:
the app checks a declared length before the body is read and cuts a chunked one off."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.domain.tweets import MAX_PHOTOS
from entrypoints.http.limits import JSON_BODY_LIMIT, upload_limit
from tests.integration.support import free_port

ROOT = Path(__file__).resolve().parents[2]
CHIRP = ROOT / ".venv" / "bin" / "chirp"
# Guards against a hang, not measurements: a server that waited for a declared body would
# never answer, since the test never sends it.
START_GUARD_SECONDS = 60
ANSWER_GUARD_SECONDS = 20
GIBIBYTE = 1024**3


def wait_until_listening(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + START_GUARD_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"chirp serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"chirp serve did not listen within {START_GUARD_SECONDS} s:\n{log.read_text()}")


@pytest.fixture
def port(tmp_path: Path) -> Iterator[int]:
    """A `chirp serve` on the embedded profile over an empty data dir; SIGTERM at the end."""
    chosen, log = free_port(), tmp_path / "serve.log"
    env = {
        **os.environ,
        "CHIRP_PROFILE": "embedded",
        "CHIRP_DATA_DIR": str(tmp_path / "data"),
        # The code of this checkout, wherever the venv's editable install points.
        "PYTHONPATH": str(ROOT),
    }
    command = [str(CHIRP), "serve", "--port", str(chosen)]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        wait_until_listening(process, chosen, log)
        yield chosen
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)  # the master and its workers
            process.wait()
            pytest.fail(f"chirp serve ignored SIGTERM:\n{log.read_text()}")


def exchange(port: int, declared: int | None, body: bytes) -> tuple[int, bytes]:
    """Send a sign-up declaring `declared` bytes (None: chunked) but carrying only `body`;
    the status and body of the answer, read until the server closes the connection."""
    length = "Transfer-Encoding: chunked" if declared is None else f"Content-Length: {declared}"
    head = (
        "POST /api/accounts/signup/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Content-Type: application/json\r\n{length}\r\nConnection: close\r\n\r\n"
    )
    answer = b""
    with socket.create_connection(("127.0.0.1", port), timeout=ANSWER_GUARD_SECONDS) as conn:
        conn.sendall(head.encode() + body)
        try:
            while chunk := conn.recv(65536):
                answer += chunk
        except TimeoutError:
            pytest.fail(f"no answer in {ANSWER_GUARD_SECONDS} s: the server waits for the body")
    status_line, _, rest = answer.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]


def test_a_declared_gibibyte_is_refused_with_a_413_at_once(port: int) -> None:
    status, _ = exchange(port, GIBIBYTE, b'{"user')
    assert status == 413


def test_one_byte_over_the_largest_upload_is_refused_unread(port: int) -> None:
    status, _ = exchange(port, upload_limit(MAX_PHOTOS) + 1, b'{"user')
    assert status == 413


def test_a_sent_json_body_over_64_kib_gets_the_api_error_body(port: int) -> None:
    body = b" " * (JSON_BODY_LIMIT + 1)
    status, answer = exchange(port, len(body), body)
    assert status == 413
    assert json.loads(answer)["code"] == 413


def chunked(data: bytes, size: int = 8192) -> bytes:
    """`data` in the chunked transfer coding, ended."""
    parts = [data[i : i + size] for i in range(0, len(data), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


def test_a_chunked_json_body_over_64_kib_is_cut_off_with_the_api_error_body(port: int) -> None:
    status, answer = exchange(port, None, chunked(b" " * (JSON_BODY_LIMIT + 1)))
    assert status == 413
    assert json.loads(answer)["code"] == 413
