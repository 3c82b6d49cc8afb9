"""Fan-out delivery on the full profile: from a POST's 201 to the tweet in every follower's feed.

Run by hand or by `make bench`, after `scripts/services up`:

    .venv/bin/python bench/fanout_delivery.py [--sizes 1000,10000,100000] [--posts 5]
        [--processes 2] [--threads 4]

Followers are bulk-loaded straight into MariaDB (not over HTTP). The tweets are posted
through the real Flask app (test client, in this process) on `full`, so the POST records
the job in the outbox and publishes it to RabbitMQ; `chirp worker` processes, started
here with the settings printed next to the figures, do the fan-out. Delivery ends when
the last follower's feed row is committed (a COUNT on the feed table, polled every 5 ms).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import sqlalchemy as sa
from benchlib import MYSQL_SERVER, fresh_database
from flask.testing import FlaskClient

from adapters.mysql.bulk import load_followers
from adapters.mysql.engine import make_engine
from adapters.mysql.tables import feed_entries
from container import build_container
from entrypoints.http.app import create_app
from settings import Settings

DATABASE = "chirp_test_bench_fanout"  # the chirp user may create chirp_test_* databases
REDIS = "redis://127.0.0.1:6379/12"
QUEUE = "chirp-bench-fanout"
FIRST_FOLLOWER_ID = 10_000_000


def environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        "CHIRP_PROFILE": "full",
        "CHIRP_MYSQL_URL": f"{MYSQL_SERVER}/{DATABASE}?charset=utf8mb4",
        "CHIRP_REDIS_URL": REDIS,
        "CHIRP_QUEUE_NAME": QUEUE,
        "CHIRP_RATELIMIT_ENABLED": "false",
        "CHIRP_CELEBRITY_THRESHOLD": str(10 * max(args.sizes)),  # push every size
        "CHIRP_WORKER_THREADS": str(args.threads),
        "CHIRP_DATA_DIR": str(Path(".services/bench").resolve()),
    }


def delivered(engine: sa.Engine, tweet_id: int) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(feed_entries)
        .where(feed_entries.c.tweet_id == tweet_id)
    )
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_workers(env: dict[str, str], processes: int) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "entrypoints.cli", "worker", "--processes", str(processes)]
    return subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL)


def worker_pids(parent: int) -> list[int]:
    children = Path(f"/proc/{parent}/task/{parent}/children").read_text().split()
    return [parent, *map(int, children)]


def measure(
    args: argparse.Namespace, engine: sa.Engine, client: FlaskClient, token: str, followers: int
) -> list[tuple[float, float]]:
    """(POST ms, delivery s) for each post to `followers` followers."""
    results = []
    for n in range(args.posts):
        time.sleep(1.05)  # well apart, so each delivery is measured alone
        started = time.perf_counter()
        response = client.post(
            "/api/tweets/",
            json={"content": f"bench tweet {n} " * 3},
            headers={"Authorization": f"Bearer {token}"},
        )
        posted = time.perf_counter()
        assert response.status_code == 201, response.get_data(as_text=True)
        tweet_id = int(response.get_json()["id"])
        while delivered(engine, tweet_id) < followers + 1:  # the author's own entry too
            if time.perf_counter() - posted > 120:
                raise SystemExit(f"tweet {tweet_id} not delivered within 120 s")
            time.sleep(0.005)
        results.append(((posted - started) * 1000, time.perf_counter() - posted))
    return results


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes", default="1000,10000,100000", type=lambda s: [int(x) for x in s.split(",")]
    )
    parser.add_argument("--posts", default=5, type=int)
    parser.add_argument("--processes", default=2, type=int)
    parser.add_argument("--threads", default=4, type=int)
    return parser.parse_args()


def row(size: int, timings: list[tuple[float, float]], rss: float) -> str:
    posts = sorted(t[0] for t in timings)
    delivery = sorted(t[1] for t in timings)
    p99 = delivery[min(len(delivery) - 1, round(0.99 * (len(delivery) - 1)))]
    return (
        f"{size:>9} {statistics.median(posts):>11.1f} "
        f"{statistics.median(delivery):>7.2f} {p99:>7.2f} {delivery[-1]:>7.2f} "
        f"{size / statistics.median(delivery):>12.0f} {rss:>14.0f}"
    )


def main() -> None:
    args = arguments()
    env = environment(args)
    engine = make_engine(fresh_database(DATABASE))
    os.environ.update(env)
    container = build_container(Settings.from_env())
    container.redis().flushdb()
    client = create_app(container).test_client()
    workers = start_workers(env, args.processes)
    print(
        f"worker: chirp worker --processes {args.processes} --threads {args.threads}; "
        f"fan-out batch {container.settings().fanout_batch}; {args.posts} posts per size"
    )
    print(
        f"{'followers':>9} {'POST p50 ms':>11} {'p50 s':>7} {'p99 s':>7} {'max s':>7} "
        f"{'followers/s':>12} {'worker RSS MB':>14}"
    )
    try:
        first = FIRST_FOLLOWER_ID
        for size in args.sizes:
            author = container.accounts().sign_up(
                f"author_{size}", f"a{size}@example.com", "pw1234"
            )
            load_followers(engine, author.user.id, range(first, first + size))
            first += size
            timings = measure(args, engine, client, author.token, size)
            rss = max(rss_mb(pid) for pid in worker_pids(workers.pid))
            print(row(size, timings, rss), flush=True)
    finally:
        workers.terminate()
        workers.wait(60)
        container.shutdown_resources()


if __name__ == "__main__":
    main()
