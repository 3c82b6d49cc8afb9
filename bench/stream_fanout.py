"""Live-stream fan-out in one gevent process: N open streams, one batch telling all of them.

Run by hand after `scripts/services up` (Redis; the SQLite log needs no server):

    .venv/bin/python bench/stream_fanout.py [--sizes 1000,2000] [--rounds 7]
        [--brokers redis,sqlite]

Each (broker, N) runs in a fresh process patched by gevent first, as a gunicorn gevent
worker is: N subscriptions on one broker, one greenlet per stream blocked in `get`. A
second broker (another client; another log on the same file) publishes one batch of N
events, one per channel, with publish_many. A round's figure is the time from the start
of publish_many until the last stream has its event; the first round warms up and is not
counted. Also printed: each event's own latency (p50/p99 over every stream and round), and
the process's resident memory per open stream (after subscribing, and with the reader
greenlets too), measured from /proc before and after.
"""

# gevent ships no type information.
# mypy: disable-error-code="import-untyped"

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REDIS = "redis://127.0.0.1:6379/12"


def _rss_kib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def _brokers(kind: str, folder: str) -> tuple[Any, Any]:
    """(subscriber, publisher): two brokers that share channels, as two processes would."""
    if kind == "redis":
        from adapters.cache.clients import make_redis, ping_redis
        from adapters.cache.redis_events import RedisEventBroker

        prefix = f"chirp-bench:{uuid.uuid4().hex[:12]}:"
        ping_redis(make_redis(REDIS))
        return (
            RedisEventBroker(make_redis(REDIS), prefix, confirm_seconds=30),
            RedisEventBroker(make_redis(REDIS), prefix),
        )
    from adapters.mysql.event_log import SqliteEventLog

    path = Path(folder) / "events.sqlite3"
    return SqliteEventLog(path), SqliteEventLog(path)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Readers:
    """One greenlet per stream, each blocked in `get`, noting when its event came."""

    def __init__(self, streams: list[Any]) -> None:
        import gevent
        from gevent.event import Event

        self.streams, self.arrivals = streams, [0.0] * len(streams)
        self.counted, self.all_in = 0, Event()
        self.greenlets = [gevent.spawn(self._read, n) for n in range(len(streams))]

    def _read(self, n: int) -> None:
        while self.streams[n].get(3600) is not None:
            self.arrivals[n] = time.perf_counter()
            self.counted += 1
            if self.counted == len(self.streams):
                self.all_in.set()

    def expect_round(self) -> None:
        self.counted = 0
        self.all_in.clear()


def _rounds(publisher: Any, readers: Readers, rounds: int) -> tuple[list[float], list[float]]:
    """(the last arrival of each round, every event's arrival), in ms after publish_many."""
    import gevent

    from core.domain.events import EventKind, StreamEvent

    size, rounds_ms, events_ms = len(readers.streams), list[float](), list[float]()
    for round_number in range(rounds + 1):
        readers.expect_round()
        event = StreamEvent(kind=EventKind.TWEET, data={"id": round_number}, cursor=1)
        started = time.perf_counter()
        publisher.publish_many((f"feed:{n}", event) for n in range(size))
        if not readers.all_in.wait(60):
            raise RuntimeError(f"round {round_number}: {readers.counted} of {size} arrived")
        if round_number:  # the first round warms up
            rounds_ms.append((max(readers.arrivals) - started) * 1000)
            events_ms.extend((at - started) * 1000 for at in readers.arrivals)
        gevent.sleep(0.2 + random.random() / 10)  # publish at any phase of the log's poll
    return rounds_ms, events_ms


def run_one(kind: str, size: int, rounds: int) -> dict[str, Any]:
    """One configuration, in this (gevent-patched) process."""
    import gevent
    import gevent.pool

    with tempfile.TemporaryDirectory() as folder:
        subscriber, publisher = _brokers(kind, folder)
        before = _rss_kib()
        group = gevent.pool.Pool(200)  # streams open a few hundred at a time, as on a deploy
        streams = group.map(lambda n: subscriber.subscribe([f"feed:{n}"]), range(size))
        subscribed = _rss_kib()
        readers = Readers(streams)
        gevent.sleep(0.5)  # every reader is blocked in get
        reading = _rss_kib()
        rounds_ms, events_ms = _rounds(publisher, readers, rounds)
        for stream in streams:
            stream.close()
        gevent.joinall(readers.greenlets, timeout=10)
        extra = {"connections": subscriber.pubsub_connections()} if kind == "redis" else {}
        subscriber.close()
        publisher.close()
    return {
        "broker": kind,
        "streams": size,
        "all_in_ms_p50": statistics.median(rounds_ms),
        "all_in_ms_p99": _percentile(rounds_ms, 0.99),
        "event_ms_p50": statistics.median(events_ms),
        "event_ms_p99": _percentile(events_ms, 0.99),
        "rss_kib_per_stream": round((subscribed - before) / size, 2),
        "rss_kib_per_stream_with_reader": round((reading - before) / size, 2),
        **extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,2000")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--brokers", default="redis,sqlite")
    parser.add_argument("--one", nargs=2, metavar=("BROKER", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one[0], int(args.one[1]), args.rounds)))
        return
    print("broker  streams  all-in p50/p99 ms  event p50/p99 ms  RSS KiB/stream (+reader)")
    for kind in args.brokers.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            done = subprocess.run(
                [sys.executable, __file__, "--one", kind, str(size), "--rounds", str(args.rounds)],
                cwd=ROOT, capture_output=True, text=True, check=True,
            )  # fmt: skip
            r = json.loads(done.stdout.strip().splitlines()[-1])
            print(
                f"{r['broker']:7} {r['streams']:7}"
                f"  {r['all_in_ms_p50']:8.1f} /{r['all_in_ms_p99']:7.1f}"
                f"  {r['event_ms_p50']:7.1f} /{r['event_ms_p99']:7.1f}"
                f"  {r['rss_kib_per_stream']:7.2f} ({r['rss_kib_per_stream_with_reader']:.2f})"
                + (f"  redis pub/sub connections: {r['connections']}" if "connections" in r else "")
            )  # fmt: skip


if __name__ == "__main__":
    if "--one" in sys.argv:
        from gevent import monkey

        monkey.patch_all()  # before anything opens a socket or a thread, as gunicorn's worker
        sys.path.insert(0, str(ROOT))
    main()
