"""What the worker class alone does to throughput and tail: the limit's bare Flask view
(bench/limit_app.py, a 20-item feed-sized body) under gunicorn's sync workers, its stock
gevent workers, and chirp's ChirpGeventWorker (connections take turns), two workers each,
loaded as bench/http_load.py loads chirp (wrk, 2 threads, 8 connections).

Why: chirp serve runs gevent workers, and the limit it is measured against runs sync ones;
this separates the worker model's own latency from chirp's code.

    .venv/bin/python bench/worker_classes.py [--seconds 8] [--runs 2]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_clients  # noqa: E402
import http_load  # noqa: E402

CLASSES = ("sync", "gevent", "entrypoints.http.green.ChirpGeventWorker")
FEED = "/api/newsfeeds/"
BODY = {
    "results": [{"id": str(n), "content": "a tweet of some length " * 6} for n in range(20)],
    "has_next_page": True,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=8, help="load time per run")
    parser.add_argument("--runs", type=int, default=2, help="runs per worker class")
    args = parser.parse_args()
    env = dict(os.environ, BENCH_BODIES=json.dumps({FEED: BODY}), PYTHONPATH=str(ROOT))
    print(f"load: {http_clients.generator()}, {args.seconds}s a run\n")
    print(f"{'worker class':<44}{'r/s':>8}{'p50 ms':>8}{'p99 ms':>8}")
    for worker_class in CLASSES:
        port = http_load.free_port()
        argv = [sys.executable, str(ROOT / "bench" / "limit_app.py"), str(port), worker_class]
        server = http_load.start(argv, env, port)
        try:
            for _ in range(args.runs):
                got = http_clients.load(port, {"name": "feed", "path": FEED}, args.seconds)
                print(f"{worker_class:<44}{got.rps:>8.0f}{got.p50:>8.2f}{got.p99:>8.2f}")
        finally:
            http_load.stop(server)


if __name__ == "__main__":
    main()
