"""Sequential newsfeed page latency over HTTP on the embedded profile.

Starts `chirp serve` on a scratch data folder, makes a reader who follows 50 users with 20
tweets each (through the API), then times 200 sequential GET /api/newsfeeds/ requests and
prints the median and the 90th/99th percentiles. Run by hand or with `make bench`.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHIRP = ROOT / ".venv" / "bin" / "chirp"
AUTHORS, TWEETS_EACH, REQUESTS = 50, 20, 200


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Client:
    """A keep-alive JSON client for one server."""

    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def call(
        self, method: str, path: str, body: dict | None = None, token: str | None = None
    ) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.conn.request(method, path, json.dumps(body) if body else None, headers)
        response = self.conn.getresponse()
        data = json.loads(response.read() or b"{}")
        if response.status >= 400:
            raise RuntimeError(f"{method} {path}: {response.status} {data}")
        return data


def wait_up(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("chirp serve did not start")


def populate(client: Client) -> str:
    def sign_up(name: str) -> tuple[str, int]:
        made = client.call(
            "POST",
            "/api/accounts/signup/",
            {"username": name, "email": f"{name}@example.com", "password": "secret1"},
        )
        return made["token"], made["user"]["id"]

    reader_token, _ = sign_up("bench_reader")
    for a in range(AUTHORS):
        token, author_id = sign_up(f"bench_author_{a:02d}")
        for t in range(TWEETS_EACH):
            client.call("POST", "/api/tweets/", {"content": f"tweet {t} by {a}"}, token)
        client.call("POST", f"/api/friendships/{author_id}/follow/", None, reader_token)
    return reader_token


def main() -> None:
    port = free_port()
    data_dir = tempfile.mkdtemp(prefix="chirp-bench-")
    env = dict(
        os.environ,
        CHIRP_PROFILE="embedded",
        CHIRP_DATA_DIR=data_dir,
        CHIRP_RATELIMIT_ENABLED="false",
    )
    server = subprocess.Popen(
        [str(CHIRP), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(port)
        client = Client(port)
        token = populate(client)
        times = []
        for _ in range(REQUESTS):
            start = time.perf_counter()
            page = client.call("GET", "/api/newsfeeds/", None, token)
            times.append((time.perf_counter() - start) * 1000)
        assert len(page["results"]) == 20, page
        times.sort()
        print(
            f"embedded profile, reader follows {AUTHORS} x {TWEETS_EACH} tweets; "
            f"{REQUESTS} sequential GET /api/newsfeeds/ (20 items): "
            f"median {statistics.median(times):.2f} ms, p90 {times[int(0.9 * REQUESTS)]:.2f}"
            f" ms, p99 {times[int(0.99 * REQUESTS)]:.2f} ms"
        )
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
