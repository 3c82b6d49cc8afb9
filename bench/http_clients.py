"""Load generators for bench/http_load.py: wrk when installed, else keep-alive threads."""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass
from typing import Any

THREADS, CONNECTIONS = 2, 8
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}
LUA = """wrk.method = {method!r}
wrk.body = {body!r}
wrk.headers["Content-Type"] = "application/json"
{auth}
"""


@dataclass
class Result:
    rps: float
    p50: float
    p99: float
    errors: int


def generator() -> str:
    if shutil.which("wrk"):
        return f"wrk, {THREADS} threads, {CONNECTIONS} connections"
    return (
        f"Python http.client, {CONNECTIONS} keep-alive threads "
        "(wrk not found: `apt-get install -y wrk` for the real figures)"
    )


def _headers(ep: dict[str, Any]) -> dict[str, str]:
    headers = {"Content-Type": "application/json"}
    if ep.get("token"):
        headers["Authorization"] = f"Bearer {ep['token']}"
    return headers


def fetch(port: int, ep: dict[str, Any]) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request(ep.get("method", "GET"), ep["path"], ep.get("body"), _headers(ep))
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def load(port: int, ep: dict[str, Any], seconds: int) -> Result:
    """Throughput and latency of `ep` under CONNECTIONS concurrent connections."""
    if shutil.which("wrk"):
        return _wrk(port, ep, seconds)
    return _threads(port, ep, seconds, requests=10**9)


def _wrk(port: int, ep: dict[str, Any], seconds: int) -> Result:
    auth = f'wrk.headers["Authorization"] = "Bearer {ep["token"]}"' if ep.get("token") else ""
    lua = LUA.format(method=ep.get("method", "GET"), body=ep.get("body") or "", auth=auth)
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        script.write(lua)  # Python's repr of these strings is a valid Lua string
        script.flush()
        out = _run_wrk(port, ep["path"], seconds, script.name)
    latency = {
        m.group(1): float(m.group(2)) * UNITS[m.group(3)]
        for m in re.finditer(r"^\s+(50|99)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
    }
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if rps is None or len(latency) < 2:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return Result(
        float(rps.group(1)), latency["50"], latency["99"], int(errors.group(1)) if errors else 0
    )


def _run_wrk(port: int, path: str, seconds: int, script: str) -> str:
    import subprocess

    argv = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", "-s", script]
    done = subprocess.run(
        [*argv, f"http://127.0.0.1:{port}{path}"], capture_output=True, text=True, check=True
    )
    return done.stdout


def _threads(port: int, ep: dict[str, Any], seconds: float, requests: int) -> Result:
    """CONNECTIONS keep-alive clients until `seconds` pass or `requests` are made."""
    times: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + seconds
    budget = [requests]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine: list[float] = []
        while time.monotonic() < deadline:
            with lock:
                if budget[0] <= 0:
                    break
                budget[0] -= 1
            start = time.perf_counter()
            try:
                conn.request(ep.get("method", "GET"), ep["path"], ep.get("body"), _headers(ep))
                response = conn.getresponse()
                response.read()
                bad = response.status >= 300
                if response.getheader("Connection", "").lower() == "close":
                    conn.close()
            except (OSError, http.client.HTTPException):
                conn.close()
                bad = True
            mine.append((time.perf_counter() - start) * 1000)
            errors[0] += bad
        with lock:
            times.extend(mine)

    began = time.monotonic()
    workers = [threading.Thread(target=client) for _ in range(CONNECTIONS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    times.sort()
    return Result(
        len(times) / (time.monotonic() - began),
        times[len(times) // 2],
        times[int(len(times) * 0.99)],
        errors[0],
    )


def flood(port: int, ep: dict[str, Any], requests: int) -> None:
    """`requests` requests of `ep` as fast as CONNECTIONS clients go (bounded at an hour)."""
    _threads(port, ep, 3600, requests)


def sequential_p50(port: int, ep: dict[str, Any], token: str, requests: int) -> float:
    """The median of `requests` one-at-a-time requests on one keep-alive connection."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = _headers({**ep, "token": token})
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        conn.request(ep.get("method", "GET"), ep["path"], ep.get("body"), headers)
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - start) * 1000)
        if response.status >= 300:
            raise RuntimeError(f"{ep['path']}: {response.status}")
    conn.close()
    return statistics.median(times)
