"""The cross-process brokers under gevent's monkey-patching, as gunicorn's gevent workers run
them: many streams of one process opened at once, each hearing its event."""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from adapters.cache.clients import make_redis, ping_redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/7"
STREAMS = 500

# Patched before anything else is imported, as gunicorn's gevent worker does; then one
# greenlet per stream subscribes (all at once), one batch tells every channel, and each
# greenlet reads its event.
SCRIPT = r"""
from gevent import monkey

monkey.patch_all()

import json, sys, threading  # noqa: F401  (patched above)
import gevent.pool

from core.domain.events import EventKind, StreamEvent

kind, where, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
if kind == "redis":
    from adapters.cache.clients import make_redis
    from adapters.cache.redis_events import RedisEventBroker

    prefix = sys.argv[4]
    broker = RedisEventBroker(make_redis(where), prefix)
    publisher = RedisEventBroker(make_redis(where), prefix)
else:
    from adapters.mysql.event_log import SqliteEventLog

    broker, publisher = SqliteEventLog(where, poll_ms=10), SqliteEventLog(where)

def event(n):
    return StreamEvent(kind=EventKind.TWEET, data={"tweet_id": n}, cursor=n)

group = gevent.pool.Group()
streams = group.map(lambda n: broker.subscribe([f"feed:{n}"]), range(count))
publisher.publish_many((f"feed:{n}", event(n)) for n in range(count))
got = group.map(lambda pair: pair[1].get(10), list(enumerate(streams)))
report = {
    "patched": monkey.is_module_patched("threading"),
    "received": sum(1 for n, e in enumerate(got) if e == event(n)),
}
if kind == "redis":
    report["connections"] = broker.pubsub_connections()
for stream in streams:
    stream.close()
broker.close()
publisher.close()
print(json.dumps(report))
"""


def _run(*args: str) -> dict[str, object]:
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["patched"] is True
    return report


@pytest.mark.integration
def test_five_hundred_green_streams_on_one_redis_connection_each_hear_their_event() -> None:
    ping_redis(make_redis(REDIS_URL))  # a down server fails here, naming it
    prefix = f"chirp-test:{uuid.uuid4().hex[:16]}:"
    report = _run("redis", REDIS_URL, str(STREAMS), prefix)
    assert (report["received"], report["connections"]) == (STREAMS, 1)


def test_five_hundred_green_streams_on_the_event_log_each_hear_their_event(
    tmp_path: Path,
) -> None:
    report = _run("sqlite", str(tmp_path / "events.sqlite3"), str(STREAMS))
    assert report["received"] == STREAMS
