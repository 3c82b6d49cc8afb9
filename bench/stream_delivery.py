"""Live-stream delivery: N open streams of one author's followers, from a POST's 201 to each event.

Run by `make bench` or by hand (`--help`) after `scripts/services up`. Starts chirp in a temporary
folder (full: serve, stream, worker on a fresh MariaDB database; embedded: serve alone); signs
followers up over HTTP. Per N: a fresh stream holder, N streams held by this process (asyncio),
one uncounted warm-up tweet, rounds timed per stream from the POST's 201, and the feed page
loaded with the streams open and again once closed (the same feed both times).
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import math
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CHIRP = ROOT / ".venv" / "bin" / "chirp"
DATABASE = "chirp_test_bench_stream"
STREAM = "/api/newsfeeds/stream/"
CLIENT_THREADS = 8
OPENING = 64  # streams being opened at once (connect, headers, `: connected`)


def call(port: int, method: str, path: str, body: Any = None, token: str = "") -> tuple[Any, float]:
    """(JSON answer, perf_counter when its status line came); raises unless it is a 2xx."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    headers["Content-Type"] = "application/json"
    conn.request(method, path, None if body is None else json.dumps(body), headers)
    answer = conn.getresponse()
    at, data = time.perf_counter(), answer.read()
    if answer.status // 100 != 2:
        raise SystemExit(f"{method} {path}: {answer.status} {data!r}")
    return json.loads(data) if data else None, at


def usage(master: int) -> tuple[float, float]:
    """(summed VmRSS in MiB, CPU seconds used so far) of a gunicorn master's workers."""
    rss = cpu = 0.0
    for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split():
        rss += int(Path(f"/proc/{pid}/status").read_text().split("VmRSS:")[1].split()[0]) / 1024
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu += (int(stat[11]) + int(stat[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime
    return rss, cpu


class Deployment:
    """The chirp processes of one profile, each in its own session (a kill reaches its
    workers), logging into the temporary folder; `api` and `streams` are their ports."""

    def __init__(self, profile: str, folder: Path) -> None:
        self.profile, self.folder = profile, folder
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "CHIRP_PROFILE": profile,
                    "CHIRP_DATA_DIR": str(folder / "data"), "CHIRP_RATELIMIT_ENABLED": "false",
                    "CHIRP_SCRYPT_N": "1024"}  # fmt: skip
        self.running: list[subprocess.Popen[bytes]] = []
        self.api = self.streams = self.holder = 0  # ports, and the holder's master pid
        if profile == "full":
            from benchlib import fresh_database

            self.env.update({"CHIRP_MYSQL_URL": fresh_database(DATABASE),
                             "CHIRP_REDIS_URL": "redis://127.0.0.1:6379/11",
                             "CHIRP_QUEUE_NAME": "chirp-bench-stream"})  # fmt: skip
            self.api = self._start("serve")
            self._start("worker", listens=False)

    def _start(self, command: str, listens: bool = True) -> int:
        with socket.create_server(("127.0.0.1", 0)) as probe:
            port = int(probe.getsockname()[1])  # free now, and for chirp a moment later
        args = [str(CHIRP), command, *(("--port", str(port)) if listens else ())]
        with (self.folder / f"{command}-{len(self.running)}.log").open("ab") as log:
            process = subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)  # fmt: skip
        self.running.append(process)
        deadline = time.monotonic() + 60
        while listens:
            try:
                call(port, "GET", "/healthz/")
                return port
            except (OSError, SystemExit):  # not listening yet, or not ready
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"chirp {command}: {Path(log.name).read_text()}") from None
            time.sleep(0.1)
        return 0

    def restart_streams(self) -> None:
        """A fresh stream holder (`chirp stream` on full, `chirp serve` on embedded)."""
        if self.holder:
            self.stop(self.running.pop())
        self.streams = self._start("stream" if self.profile == "full" else "serve")
        self.holder = self.running[-1].pid
        if self.profile == "embedded":
            self.api = self.streams

    def stop(self, *processes: subprocess.Popen[bytes]) -> None:
        """Kill each process's session (a gunicorn master and its workers); all by default."""
        for process in processes or tuple(self.running):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def signup(port: int, name: str) -> tuple[str, str]:
    body = {"username": name, "email": f"{name}@example.com", "password": "secret-pass"}
    answer, _ = call(port, "POST", "/api/accounts/signup/", body)
    return answer["user"]["id"], answer["token"]


def enroll(port: int, author_id: str, numbers: range) -> list[str]:
    """Sign followers up and make each follow the author; their tokens, in order."""

    def one(n: int) -> str:
        token = signup(port, f"follower_{n:05d}")[1]
        call(port, "POST", f"/api/friendships/{author_id}/follow/", token=token)
        return token

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        return list(pool.map(one, numbers))


def feed_rps(port: int, token: str, seconds: float) -> float:
    """Pages per second of GET /api/newsfeeds/ in a closed loop of 8 keep-alive threads."""
    headers, started = {"Authorization": f"Bearer {token}"}, time.monotonic()

    def loop(_: int) -> int:
        conn, done = http.client.HTTPConnection("127.0.0.1", port, timeout=30), 0
        while time.monotonic() < started + seconds:
            conn.request("GET", "/api/newsfeeds/", headers=headers)
            answer = conn.getresponse()
            body, done = answer.read(), done + 1
            if answer.status != 200:  # a refused page is no throughput: stop the run
                raise SystemExit(f"GET /api/newsfeeds/: {answer.status} {body!r}")
        return done

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        return sum(pool.map(loop, range(CLIENT_THREADS))) / (time.monotonic() - started)


class Hub:
    """Streams connected; when each tweet id reached each stream (perf_counter at its chunk)."""

    def __init__(self, size: int) -> None:
        self.size, self.connected, self.refused = size, 0, list[str]()
        self.arrivals: dict[str, dict[int, float]] = {}


async def _chunk(reader: asyncio.StreamReader) -> bytes:
    size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
    return (await reader.readexactly(size + 2))[:-2] if size else b""


async def _open(port: int, token: str, hub: Hub) -> tuple[Any, asyncio.StreamWriter, bytes]:
    """Open a stream as an app would: a 503 (busy, or stopping) is tried again a second later."""
    request = f"GET {STREAM} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
    while True:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(request.encode())
        head, buffer = await reader.readuntil(b"\r\n\r\n"), b""
        if head.startswith(b"HTTP/1.1 200") and b"chunked" in head.lower():
            while b": connected" not in buffer:
                buffer += await _chunk(reader)
            return reader, writer, buffer
        hub.refused.append((head + await reader.read(999)).decode().split("\r\n")[-1])
        writer.close()
        if not head.startswith(b"HTTP/1.1 503"):
            raise RuntimeError(f"a stream was refused: {hub.refused[-1]}")
        await asyncio.sleep(1.0)


async def listen(port: int, token: str, index: int, hub: Hub, gate: asyncio.Semaphore) -> None:
    """One stream: open it (at most OPENING at once), then record its events till cancelled."""
    async with gate:
        reader, writer, buffer = await _open(port, token, hub)
    hub.connected += 1
    try:
        while data := await _chunk(reader):
            now = time.perf_counter()
            *blocks, buffer = (buffer + data).split(b"\n\n")
            for block in blocks:
                if block.startswith(b"event: tweet\n") or b"\nevent: tweet\n" in block:
                    line = next(ln for ln in block.split(b"\n") if ln.startswith(b"data: "))
                    hub.arrivals.setdefault(json.loads(line[6:])["id"], {})[index] = now
    finally:
        writer.close()


async def open_streams(port: int, tokens: list[str]) -> tuple[Hub, list[asyncio.Task[None]], float]:
    """N streams held by this process, once every one said `: connected`; seconds taken."""
    hub, gate, started = Hub(len(tokens)), asyncio.Semaphore(OPENING), time.monotonic()
    tasks = [asyncio.create_task(listen(port, t, i, hub, gate)) for i, t in enumerate(tokens)]
    while hub.connected < hub.size:
        broken = [t.exception() for t in tasks if t.done() and t.exception()]
        if broken or time.monotonic() - started > 300:
            raise SystemExit(f"{hub.connected}/{hub.size} streams open: {broken[:1]}")
        await asyncio.sleep(0.05)
    return hub, tasks, time.monotonic() - started


async def close_streams(tasks: list[asyncio.Task[None]]) -> int:
    still = sum(not task.done() for task in tasks)  # none may have been ended by the server
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return still


async def one_round(port: int, author: str, hub: Hub, n: int) -> tuple[list[float], int]:
    """Post a tweet; (each stream's delay from the 201 in ms, how many streams got it)."""
    body, deadline = {"content": f"live tweet {n}"}, time.monotonic() + 30  # then count who got it
    tweet, t0 = await asyncio.to_thread(call, port, "POST", "/api/tweets/", body, author)
    while len(hub.arrivals.get(tweet["id"], {})) < hub.size and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    arrived = hub.arrivals.pop(tweet["id"], {})
    return [(at - t0) * 1000 for at in arrived.values()], len(arrived)


async def measure(dep: Deployment, author: str, tokens: list[str], args: Any) -> dict[str, str]:
    """One row of the table: N streams held while the rounds run and the feed is loaded."""
    dep.restart_streams()
    await close_streams((await open_streams(dep.streams, tokens[:1]))[1])  # warm the holder
    await asyncio.sleep(1.0)
    rss_idle = usage(dep.holder)[0]
    hub, tasks, open_s = await open_streams(dep.streams, tokens)
    warm = max((await one_round(dep.api, author, hub, 0))[0], default=math.nan)
    delays, got, cpu = [], [], usage(dep.holder)[1]
    for number in range(1, args.rounds + 1):
        await asyncio.sleep(1.0)
        ms, count = await one_round(dep.api, author, hub, number)
        delays += ms
        got.append(count)
    rss_held, cpu_after = usage(dep.holder)
    held = await asyncio.to_thread(feed_rps, dep.api, tokens[0], args.seconds)
    still = await close_streams(tasks)
    await asyncio.sleep(1.0)
    idle = await asyncio.to_thread(feed_rps, dep.api, tokens[0], args.seconds)
    n, cuts = len(tokens), statistics.quantiles(delays or [math.nan] * 2, n=100, method="inclusive")
    return {"profile": dep.profile, "streams": str(n), "open s": f"{open_s:.1f}",
            "got each event": "all" if all(g == n for g in got) else "/".join(map(str, got)),
            "p50 ms": f"{cuts[49]:.0f}", "p99 ms": f"{cuts[98]:.0f}",
            "max ms": f"{max(delays, default=math.nan):.0f}", "still open": f"{still}/{n}",
            "warm-up max ms": f"{warm:.0f}", "opening 503s": str(len(hub.refused)),
            "holder CPU µs/event": f"{(cpu_after - cpu) * 1e6 / max(sum(got), 1):.0f}",
            "feed rps, N open": f"{held:.0f}", "feed rps, 0 open": f"{idle:.0f}",
            "ratio": f"{held / idle:.2f}", "holder RSS MiB, 0": f"{rss_idle:.1f}",
            "holder RSS MiB, N": f"{rss_held:.1f}",
            "KiB/stream": f"{(rss_held - rss_idle) * 1024 / n:.1f}"}  # fmt: skip


async def run(args: argparse.Namespace) -> list[dict[str, str]]:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # a descriptor per stream
    with tempfile.TemporaryDirectory(prefix="chirp-bench-stream-") as folder:
        dep = Deployment(args.profile, Path(folder))
        try:
            dep.restart_streams()  # on embedded, the API server too
            author_id, author = signup(dep.api, "author_01")
            tokens, rows = list[str](), list[dict[str, str]]()
            for size in map(int, args.streams.split(",")):
                started = time.monotonic()
                tokens += enroll(dep.api, author_id, range(len(tokens), size))
                print(f"{size} followers in {time.monotonic() - started:.1f} s", flush=True)
                rows.append(await measure(dep, author, tokens[:size], args))
            return rows
        finally:
            dep.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("full", "embedded"), default="full")
    parser.add_argument("--streams", default="1000,2000", help="N, comma-separated")
    parser.add_argument("--rounds", default=5, type=int)
    parser.add_argument("--seconds", default=5.0, type=float, help="each feed-throughput loop")
    args = parser.parse_args()
    load_start = os.getloadavg()[0]
    rows = asyncio.run(run(args))
    print(f"\n`{' '.join(['bench/stream_delivery.py', *sys.argv[1:]])}`: load average "
          f"{load_start:.2f} at start, {os.getloadavg()[0]:.2f} at end; delays over "
          f"{args.rounds} rounds x N streams, after 1 warm-up tweet\n")  # fmt: skip
    lines = [list(rows[0]), ["---"] * len(rows[0]), *(list(row.values()) for row in rows)]
    print("\n".join("| " + " | ".join(cells) + " |" for cells in lines))


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
