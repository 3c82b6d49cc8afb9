"""Sequential POST latency against `chirp serve`: the p50 of issue 11, without the rest.

Seeds a scratch store as bench/http_load.py does (posters with 0 and 1,000 followers),
starts `chirp serve` on its defaults and sends one POST at a time on a keep-alive
connection, alternating the two posters round by round so load on a shared machine
hits both alike; prints each round's p50 and the median of the rounds, with the load
average before and after.

    .venv/bin/python bench/post_sequential.py [--full] [--rounds 5] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import http_clients  # noqa: E402
import http_load  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="the full profile (servers up)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--requests", type=int, default=200, help="POSTs per poster a round")
    parser.add_argument("--workers", type=int, default=0, help="server processes (0: its default)")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="chirp-post-seq-")
    try:
        measure(args, http_load.chirp_env(args.full, data_dir))
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def measure(args: argparse.Namespace, env: dict[str, str]) -> None:
    seeded = http_load.seed(env)
    port = http_load.free_port()
    post = http_load.endpoints(seeded)[3]
    print(f"profile {env['CHIRP_PROFILE']}; load average {os.getloadavg()[0]:.2f}", flush=True)
    argv = [str(http_load.CHIRP), "serve", "--port", str(port)]
    argv += ["--workers", str(args.workers)] if args.workers else []
    chirp = http_load.start(argv, env, port)
    p50s: dict[str, list[float]] = {"p0": [], "p1000": []}
    try:
        http_clients.sequential_p50(port, post, seeded["p0"], 50)  # warm-up
        for _ in range(args.rounds):
            for label in p50s:
                p50 = http_clients.sequential_p50(port, post, seeded[label], args.requests)
                p50s[label].append(p50)
    finally:
        http_load.stop(chirp)
    for label, values in p50s.items():
        rounds = " ".join(f"{v:.2f}" for v in values)
        print(
            f"POST tweet, sequential, {label[1:]:>4} followers: p50 "
            f"{statistics.median(values):.2f} ms (rounds: {rounds})"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
