"""Soak: mixed traffic at a bounded rate against `chirp serve` + `chirp worker` on `full`,
RSS sampled throughout, then a reconciliation of the store; exit 1 on a 5xx or a mismatch.

Run by `make soak` (10 minutes) or by hand, after `scripts/services up`:

    .venv/bin/python bench/soak.py [--minutes 10] [--rate 20] [--users 24] [--readers 6]

Everything is on 127.0.0.1. The run starts its own Redis and Memcached (private, on free
ports, so no other suite's flush touches them), a fresh MariaDB database (chirp_test_soak)
and its own RabbitMQ queue; `chirp serve` (2 gunicorn workers, no worker recycling, so a
leak shows) and `chirp worker`, with rate limits on as in production. Users sign up, post,
read feeds, tweets and notifications, like and unlike, comment and delete, follow and
unfollow (tests/faults/load.py); a few readers only read, so their cached feeds change by
fan-out pushes alone. The celebrity threshold is the default 10000, far above any user's
followers here, so every tweet is pushed.

RSS (VmRSS) of the API workers (summed) and of the worker process is sampled every few
seconds; "after warm-up" is the first sample past --warmup-minutes. RSS is flat when the
end is within --rss-growth percent of it. The reconciliation (tests/faults/reconcile.py)
queries MariaDB directly: every like, comment, follow and tweet users were told of exists
and nothing else, likes_count and comments_count equal their rows, every tweet is in every
follower's feed once; and what the API serves through its caches equals the store.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import sqlalchemy as sa  # noqa: E402
from benchlib import fresh_database  # noqa: E402

from adapters.mysql.engine import make_engine  # noqa: E402
from tests.faults.conftest import AMQP_URL, purge_queues  # noqa: E402
from tests.faults.load import Http, Load, Model, seat_readers, sign_up  # noqa: E402
from tests.faults.reconcile import Reconciliation, reconcile  # noqa: E402
from tests.faults.stack import (  # noqa: E402
    ChirpProcess,
    PrivateMemcached,
    PrivateRedis,
    chirp_env,
    rss_kib,
    start_serve,
    start_worker,
    worker_pids,
)

DATABASE = "chirp_test_soak"
QUEUE = "chirp-soak"
CONVERGE_SECONDS = 120.0


@dataclass
class Samples:
    """RSS samples: (seconds since start, API workers' KiB summed, worker's KiB)."""

    rows: list[tuple[float, int, int]] = field(default_factory=list)

    def at_or_after(self, seconds: float) -> tuple[float, int, int]:
        return next((row for row in self.rows if row[0] >= seconds), self.rows[-1])


def sample_rss(
    serve: ChirpProcess, worker: ChirpProcess, every: float, stop: threading.Event
) -> Samples:
    """Sample on a thread until `stop`; the samples fill in as it runs."""
    samples, began = Samples(), time.monotonic()

    def run() -> None:
        while True:
            api = sum(rss_kib(pid) for pid in worker_pids(serve.process.pid))
            samples.rows.append((time.monotonic() - began, api, rss_kib(worker.process.pid)))
            if stop.wait(every):
                return

    threading.Thread(target=run, daemon=True).start()
    return samples


def converge(engine: sa.Engine, api: Http, model: Model) -> tuple[Reconciliation, float]:
    """Reconcile until it passes (fan-out of the last posts landing) or CONVERGE_SECONDS."""
    began = time.monotonic()
    while True:
        result = reconcile(engine, api, model)
        if result.ok or time.monotonic() - began > CONVERGE_SECONDS:
            return result, time.monotonic() - began
        time.sleep(2)


def latency_lines(model: Model) -> list[str]:
    by_action: dict[str, list[float]] = {}
    for o in model.outcomes:
        by_action.setdefault(o.action, []).append((o.ended - o.started) * 1000)
    lines = []
    for action, took in sorted(by_action.items()):
        took.sort()
        p99 = took[min(len(took) - 1, int(len(took) * 0.99))]
        lines.append(f"  {action:<14} {len(took):>7}  p50 {statistics.median(took):7.1f} ms"
                     f"  p99 {p99:7.1f} ms")  # fmt: skip
    return lines


def rss_lines(args: argparse.Namespace, samples: Samples) -> tuple[list[str], bool]:
    """The RSS table, and whether RSS stayed flat after warm-up."""
    start, warm = samples.rows[0], samples.at_or_after(args.warmup_minutes * 60)
    end, flat = samples.rows[-1], True
    lines = ["RSS (MiB)        start  after warm-up     end  growth after warm-up"]
    for i, kind in ((1, "api (sum)"), (2, "worker")):
        growth = 100.0 * (end[i] - warm[i]) / max(warm[i], 1)
        flat = flat and growth <= args.rss_growth
        lines.append(
            f"  {kind:<12} {start[i] / 1024:7.1f} {warm[i] / 1024:14.1f} "
            f"{end[i] / 1024:7.1f}  {growth:+.1f}%"
        )
    lines.append(
        f"  {len(samples.rows)} samples; warm-up ends at {warm[0]:.0f} s; "
        f"flat (<= {args.rss_growth}%): {'yes' if flat else 'NO'}"
    )
    return lines, flat


def report(
    args: argparse.Namespace, model: Model, samples: Samples, result: Reconciliation, took: float
) -> bool:
    """Print the table; whether the run passed."""
    statuses = Counter(o.status for o in model.outcomes)
    errors = sum(n for status, n in statuses.items() if status >= 500 or status == 0)
    rss, flat = rss_lines(args, samples)
    reconciled = result.ok and not result.raced_unfollows
    print(
        f"\nsoak: {args.minutes} min at <= {args.rate} req/s, {args.users} users + "
        f"{args.readers} readers; chirp serve (2 workers) + chirp worker on full"
    )
    print(f"requests        {len(model.outcomes)}")
    print("statuses        " + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    print(f"5xx/no answer   {errors}")
    others = Counter((o.action, o.status) for o in model.outcomes if o.status >= 300)
    print("not 2xx         " + ", ".join(f"{a} {s}: {n}" for (a, s), n in sorted(others.items())))
    print("latency by action (client side)")
    print("\n".join(latency_lines(model)))
    print("\n".join(rss))
    print(f"reconciliation  {'OK' if reconciled else 'MISMATCH'} (after {took:.1f} s)")
    print("\n".join("  " + line for line in result.summary(examples=2).splitlines()))
    return errors == 0 and flat and reconciled


def run(args: argparse.Namespace, folder: Path) -> bool:
    caches = PrivateRedis(folder / "redis"), PrivateMemcached(folder / "memcached")
    processes: list[ChirpProcess] = []
    try:
        for cache in caches:
            cache.start()
        url = fresh_database(DATABASE)
        purge_queues(AMQP_URL, QUEUE)
        env = chirp_env(url, QUEUE, folder / "data", caches[0].url, caches[1].port)
        env["CHIRP_RATELIMIT_ENABLED"] = "true"
        serve, port = start_serve(env, folder / "serve.log")
        processes.append(serve)
        processes.append(start_worker(env, folder / "worker.log"))
        return soak(args, serve, processes[1], Http(port), make_engine(url))
    finally:
        for process in reversed(processes):
            process.stop()
        for cache in caches:
            cache.stop()


def soak(
    args: argparse.Namespace,
    serve: ChirpProcess,
    worker: ChirpProcess,
    api: Http,
    engine: sa.Engine,
) -> bool:
    model = Model()
    users = sign_up(api, model, args.users, "soak")
    readers = seat_readers(api, model, users, args.readers, "soakr")
    stop = threading.Event()
    samples = sample_rss(serve, worker, args.sample_seconds, stop)
    load = Load(api, model, users, rate=args.rate, readers=readers)
    load.start()
    deadline = time.monotonic() + args.minutes * 60
    while time.monotonic() < deadline:
        time.sleep(min(30.0, max(0.0, deadline - time.monotonic())))
        print(f"  {len(model.outcomes)} requests, {dict(model.statuses())}", flush=True)
    load.stop()
    stop.set()
    result, took = converge(engine, api, model)
    passed = report(args, model, samples, result, took)
    if not (serve.alive() and worker.alive()):
        print("a process died")
    if not passed or not (serve.alive() and worker.alive()):
        print(f"serve log:\n{serve.tail()}\nworker log:\n{worker.tail()}")
        return False
    return True


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=20.0, help="requests per second, at most")
    parser.add_argument("--users", type=int, default=24, help="users doing everything")
    parser.add_argument("--readers", type=int, default=6, help="users who only read")
    parser.add_argument("--warmup-minutes", type=float, default=None,
                        help="[default: a fifth of the run, at most 2]")  # fmt: skip
    parser.add_argument("--sample-seconds", type=float, default=5.0)
    parser.add_argument(
        "--rss-growth", type=float, default=10.0, help="percent RSS may grow after warm-up"
    )
    args = parser.parse_args()
    if args.warmup_minutes is None:
        args.warmup_minutes = min(2.0, args.minutes / 5)
    with tempfile.TemporaryDirectory(prefix="chirp-soak-") as folder:
        return 0 if run(args, Path(folder)) else 1


if __name__ == "__main__":
    sys.exit(main())
