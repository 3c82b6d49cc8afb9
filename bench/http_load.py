"""HTTP load benchmark: chirp's hot endpoints against a bare Flask app serving the same JSON.

One run seeds a scratch data folder with direct service calls (a reader following 20
authors, a tweet with 100 comments, posters with 0 and 1,000 followers), starts `chirp
serve` on its own defaults (rate limits off, so load is not answered 429) and, as the
limit, a bare Flask app whose views return the very bodies chirp gave, with `jsonify`, on
gunicorn with one sync worker per core. Each endpoint is loaded with wrk (2 threads, 8
connections; a keep-alive Python client when wrk is missing) on 127.0.0.1 only, then the
RSS of every API worker is read from /proc. `--full` runs on the full profile (servers
up); `--long` also reads RSS after 100,000 feed requests.

    .venv/bin/python bench/http_load.py [--full] [--long] [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_clients  # noqa: E402

CHIRP = ROOT / ".venv" / "bin" / "chirp"
LONG_REQUESTS = 100_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_up(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answered on port {port}")


def seed(env: dict[str, str]) -> dict[str, Any]:
    """Users, follows, tweets, comments and likes, through the services (not over HTTP),
    with the fan-out settled; returns the tokens and ids the requests need."""
    from dependency_injector import providers

    from adapters.system.passwords import FastPasswordHasher
    from container import build_container
    from settings import Settings

    container = build_container(Settings.from_env(env))
    container.hasher.override(providers.Singleton(FastPasswordHasher))
    container.migrate()
    tag = uuid.uuid4().hex[:6]
    accounts, following, posting = container.accounts(), container.following(), container.posting()

    def user(name: str) -> Any:
        return accounts.sign_up(f"b{tag}{name}", f"b{tag}{name}@example.com", "password1")

    reader = user("reader")
    for a in range(20):
        author = user(f"a{a}")
        following.follow(reader.user.id, author.user.id)
        for t in range(5):
            posting.post_tweet(author.user.id, f"tweet {t} by author {a}, with some text in it")
    detail = seed_detail(container, user, reader.user.id)
    lonely, popular = user("p0"), user("p1000")
    for f in range(1000):
        following.follow(user(f"f{f}").user.id, popular.user.id)
    container.worker_roles()
    if not container.dispatcher().settle(300):
        raise RuntimeError("the seeded fan-out did not finish")
    container.shutdown_resources()
    return {
        "reader": reader.token,
        "tweet": detail,
        "profile": reader.user.id,
        "p0": lonely.token,
        "p1000": popular.token,
    }


def seed_detail(container: Any, user: Any, reader_id: int) -> int:
    """A tweet with 100 comments by 10 users and 20 likes; returns its id."""
    view, _ = container.posting().post_tweet(reader_id, "a tweet with a hundred comments")
    comments, likes = container.comments(), container.likes()
    for c in range(10):
        commenter = user(f"c{c}").user.id
        for n in range(10):
            comments.add_comment(commenter, view.tweet.id, f"comment {n} by commenter {c}")
    for k in range(20):
        likes.like(user(f"l{k}").user.id, "tweet", view.tweet.id)
    return int(view.tweet.id)


def endpoints(s: dict[str, Any]) -> list[dict[str, Any]]:
    post = json.dumps({"content": "a benchmark tweet, long enough"})
    return [
        {"name": "GET feed page (20)", "path": "/api/newsfeeds/", "token": s["reader"]},
        {"name": "GET tweet + 100 comments", "path": f"/api/tweets/{s['tweet']}/"},
        {"name": "GET profile", "path": f"/api/profiles/{s['profile']}/", "token": s["reader"]},
        {"name": "POST tweet", "path": "/api/tweets/", "method": "POST", "body": post},
    ]


def chirp_env(full: bool, data_dir: str) -> dict[str, str]:
    return dict(
        os.environ,
        CHIRP_PROFILE="full" if full else "embedded",
        CHIRP_DATA_DIR=data_dir,
        CHIRP_RATELIMIT_ENABLED="false",
    )


def start(argv: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_up(port, server)
    return server


def stop(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def worker_rss_mb(master: int) -> list[float]:
    """The resident memory of each child process of `master` (gunicorn's workers)."""
    sizes = []
    for pid, (_, parent, _) in _processes().items():
        if parent != master:
            continue
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sorted(sizes)


TICKS = os.sysconf("SC_CLK_TCK")
SERVERS = {"mariadbd": "mariadb", "mysqld": "mariadb", "redis-server": "redis",
           "memcached": "memcached"}  # fmt: skip


def _processes() -> dict[int, tuple[str, int, float]]:
    """Every process: (command name, parent pid, CPU seconds used so far)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat.rsplit(")", 1)[1].split()
        found[int(entry.name)] = (name, int(fields[1]), (int(fields[11]) + int(fields[12])) / TICKS)
    return found


def cpu_seconds(servers: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far by each server in `servers` (a name by its root pid: the
    process and every descendant), by each backing server by kind, and by this process's
    reaped children (the load generator, wrk)."""
    procs = _processes()
    used: dict[str, float] = dict.fromkeys([*servers, *SERVERS.values()], 0.0)
    for pid, (name, _, cpu) in procs.items():
        if name in SERVERS:
            used[SERVERS[name]] += cpu
            continue
        ancestor = pid
        while ancestor > 1 and ancestor in procs:
            owner = next((label for label, root in servers.items() if root == ancestor), None)
            if owner is not None:
                used[owner] += cpu
                break
            ancestor = procs[ancestor][1]
    reaped = os.times()
    used["load generator"] = reaped.children_user + reaped.children_system
    return used


def cpu_per_request(
    before: dict[str, float], after: dict[str, float], requests: float
) -> dict[str, float]:
    """CPU milliseconds per request by who spent them, from two `cpu_seconds` readings."""
    return {k: (after[k] - before[k]) * 1000 / requests for k in after if after[k] > before[k]}


def measure(args: argparse.Namespace, data_dir: str) -> None:
    env = chirp_env(args.full, data_dir)
    print(f"seeding {env['CHIRP_PROFILE']} profile in {data_dir} ...", flush=True)
    seeded = seed(env)
    port, limit_port = free_port(), free_port()
    chirp = start([str(CHIRP), "serve", "--port", str(port)], env, port)
    try:
        rows = run_endpoints(args, seeded, port, limit_port, chirp.pid)
        rss = worker_rss_mb(chirp.pid)
        print_table(rows, rss, args)
        if args.long:
            feed = endpoints(seeded)[0]
            http_clients.flood(port, feed, LONG_REQUESTS)
            print(f"RSS per API worker after {LONG_REQUESTS:,} more feed requests: "
                  + ", ".join(f"{mb:.0f} MB" for mb in worker_rss_mb(chirp.pid)))  # fmt: skip
        for label in ("p0", "p1000"):
            p50 = http_clients.sequential_p50(port, endpoints(seeded)[3], seeded[label], 200)
            followers = label[1:]
            print(f"POST tweet, sequential, {followers:>4} followers: p50 {p50:.2f} ms")
    finally:
        stop(chirp)


def timed_load(
    port: int, ep: dict[str, Any], seconds: int, servers: dict[str, int]
) -> tuple[http_clients.Result, dict[str, float]]:
    """The load's result and the CPU milliseconds each process spent per request in it."""
    before = cpu_seconds(servers)
    result = http_clients.load(port, ep, seconds)
    return result, cpu_per_request(before, cpu_seconds(servers), result.rps * seconds)


def run_endpoints(
    args: argparse.Namespace, seeded: dict[str, Any], port: int, limit_port: int, chirp_pid: int
) -> list[dict[str, Any]]:
    rows = []
    bodies: dict[str, Any] = {}
    for ep in endpoints(seeded):
        if ep.get("method") == "POST":
            ep["token"] = seeded["p0"]
        status, body = http_clients.fetch(port, ep)
        if status >= 300:
            raise RuntimeError(f"{ep['name']}: {status} {body[:200]!r}")
        bodies[ep["path"]] = json.loads(body)
    limit = start(
        [sys.executable, str(Path(__file__).resolve().parent / "limit_app.py"), str(limit_port)],
        dict(os.environ, BENCH_BODIES=json.dumps(bodies)),
        limit_port,
    )
    try:
        for ep in endpoints(seeded):
            if ep.get("method") == "POST":
                ep["token"] = seeded["p0"]
            print(f"loading {ep['name']} ...", flush=True)
            servers = {"limit app": limit.pid, "chirp api": chirp_pid}
            bare, bare_cpu = timed_load(limit_port, ep, args.seconds, servers)
            got, got_cpu = timed_load(port, ep, args.seconds, servers)
            rows.append(
                {"name": ep["name"], "limit": bare, "chirp": got,
                 "limit_cpu": bare_cpu, "chirp_cpu": got_cpu}
            )  # fmt: skip
    finally:
        stop(limit)
    return rows


def print_table(rows: list[dict[str, Any]], rss: list[float], args: argparse.Namespace) -> None:
    profile = "full" if args.full else "embedded"
    print(f"\nprofile {profile}; load: {http_clients.generator()}, {args.seconds}s each\n")
    print(
        f"{'endpoint':<26}{'limit r/s':>10}{'chirp r/s':>10}{'frac':>7}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'limit p99':>10}"
    )
    for row in rows:
        lim, got = row["limit"], row["chirp"]
        print(
            f"{row['name']:<26}{lim.rps:>10.0f}{got.rps:>10.0f}{got.rps / lim.rps:>7.0%}"
            f"{got.p50:>8.2f}{got.p99:>8.2f}{lim.p99:>10.2f}"
            + (f"  ({got.errors} non-2xx)" if got.errors else "")
        )
    print("RSS per API worker: " + ", ".join(f"{mb:.0f} MB" for mb in rss))
    print(f"\nCPU ms per request, by process ({os.cpu_count()} cores shared by all of them)")
    for row in rows:
        for side in ("limit", "chirp"):
            spent = row[f"{side}_cpu"]
            parts = ", ".join(
                f"{k} {v:.2f}" for k, v in sorted(spent.items(), key=lambda kv: -kv[1])
            )
            print(f"{row['name']:<26}{side:<6} total {sum(spent.values()):.2f}: {parts}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full profile (servers up)")
    parser.add_argument("--long", action="store_true", help="RSS after 100,000 more requests")
    parser.add_argument("--seconds", type=int, default=8, help="load time per endpoint")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="chirp-http-load-")
    try:
        measure(args, data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
