"""In-process cost of chirp's hot endpoints: ms per request through the Flask test client.

Seeds a scratch store as bench/http_load.py does, builds the app in this process (no
server, no background roles while timing, rate limits off) and times N requests of each
hot endpoint; `--profile-top K` also prints cProfile's K most expensive functions per
endpoint (cumulative; `BENCH_SORT=tottime` orders by each function's own time), which is
where the hot paths' cuts were read from. `--full` runs on the full profile in a fresh
MariaDB database (servers up). `--without-relay` measures what the POST's synchronous
relay costs: the dispatcher's relay does nothing while timing (the outbox keeps every job,
and they are relayed at the end).

    .venv/bin/python bench/http_inprocess.py [--full] [-n 2000] [--profile-top 25]
        [--only POST] [--without-relay]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_load  # noqa: E402
from benchlib import drop_database, fresh_database  # noqa: E402

FULL_REDIS_DB = "redis://127.0.0.1:6379/12"
# A database and queue of this run's own (the database dropped at the end), so runs side by
# side do not drop each other's tables.
OWN = f"inprocess_{os.getpid()}"
DATABASE = f"chirp_test_bench_{OWN}"
QUEUE = f"chirp-bench-{OWN}"


def environment(full: bool, data_dir: str) -> dict[str, str]:
    env = http_load.chirp_env(full, data_dir)
    if full:
        env.update(
            CHIRP_MYSQL_URL=fresh_database(DATABASE),
            CHIRP_REDIS_URL=FULL_REDIS_DB,
            CHIRP_QUEUE_NAME=QUEUE,
        )
    return env


def request_of(client: Any, ep: dict[str, Any]) -> Any:
    headers = {"Authorization": f"Bearer {ep['token']}"} if ep.get("token") else {}
    if ep.get("method") == "POST":
        return lambda: client.post(
            ep["path"], data=ep["body"], headers=headers, content_type="application/json"
        )
    return lambda: client.get(ep["path"], headers=headers)


def time_endpoint(call: Any, n: int, top: int) -> tuple[float, float, str]:
    """Wall and CPU ms per request over n calls (after 50 warm-up calls), and a cProfile
    excerpt. CPU time (this process's; no background role runs while timing) is the steadier
    figure on a shared machine: other processes stretch the wall time only."""
    for _ in range(50):
        response = call()
        assert response.status_code < 300, response.get_data()[:300]
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        call()
    per_request = (time.perf_counter() - start) * 1000 / n
    cpu_per_request = (time.process_time() - cpu) * 1000 / n
    if not top:
        return per_request, cpu_per_request, ""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(min(n, 500)):
        call()
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(
        os.environ.get("BENCH_SORT", "cumulative")
    ).print_stats(top)
    return per_request, cpu_per_request, out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full profile (servers up)")
    parser.add_argument("-n", type=int, default=2000, help="requests per endpoint")
    parser.add_argument("--profile-top", type=int, default=0, help="cProfile rows to print")
    parser.add_argument("--only", default="", help="endpoints whose name contains this")
    parser.add_argument("--without-relay", action="store_true", help="no relay after a POST")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="chirp-inprocess-")
    try:
        run(args, environment(args.full, data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if args.full:
            drop_database(DATABASE)


def run(args: argparse.Namespace, env: dict[str, str]) -> None:
    from container import build_container
    from entrypoints.http.app import create_app
    from settings import Settings

    seeded = http_load.seed(env)
    container = build_container(Settings.from_env(env))
    client = create_app(container).test_client()
    dispatcher = container.dispatcher()
    relay = dispatcher.relay
    if args.without_relay:
        dispatcher.relay = lambda *_, **__: 0  # type: ignore[method-assign]
    results = []
    for ep in http_load.endpoints(seeded):
        if args.only and args.only not in ep["name"]:
            continue
        if ep.get("method") == "POST":
            ep["token"] = seeded["p0"]
        wall, cpu, profile = time_endpoint(request_of(client, ep), args.n, args.profile_top)
        results.append((ep["name"], wall, cpu))
        if profile:
            print(f"== {ep['name']}\n{profile}")
    dispatcher.relay = relay  # type: ignore[method-assign]
    if args.full or args.without_relay:  # relay and run the fan-out jobs the POSTs recorded
        container.worker_roles()
        dispatcher.settle(120)
    container.shutdown_resources()
    print(f"\nprofile {env['CHIRP_PROFILE']}, {args.n} requests each, in-process test client")
    print(f"{'endpoint':<26}{'wall ms':>9}{'CPU ms':>9}  (per request)")
    for name, wall, cpu in results:
        print(f"{name:<26}{wall:>9.3f}{cpu:>9.3f}")
    print(json.dumps({name: [round(wall, 3), round(cpu, 3)] for name, wall, cpu in results}))


if __name__ == "__main__":
    main()
