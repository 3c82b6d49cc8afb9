"""The long-running process types: the API server and the fan-out worker, and their jobs."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from container import Container
from core.domain.errors import Unavailable
from entrypoints.cli.common import container_of, domain_errors

CONSUMER_RETRY_SECONDS = 2
# gunicorn's gevent worker, closing gracefully, dropping stalled peers (http/green.py).
GEVENT = "entrypoints.http.green.ChirpGeventWorker"


@contextmanager
def _terminated_by_signals() -> Iterator[threading.Event]:
    """An event set by SIGTERM or SIGINT, so the process can stop in order: in-flight jobs
    finish or go back to the queue, instead of dying with the default handler."""
    stopped = threading.Event()
    previous = {
        sig: signal.signal(sig, lambda *_: stopped.set()) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    try:
        yield stopped
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", type=click.IntRange(1), help="worker processes  [default: one per core]")
@click.option("--worker-class", type=click.Choice(["gevent", "gthread"]), default="gevent",
              show_default=True, help="gthread (thread workers): full only")  # fmt: skip
@click.option("--threads", default=4, show_default=True, type=click.IntRange(1),
              help="request threads per gthread worker")  # fmt: skip
@click.option("--keep-alive", default=5, show_default=True, type=click.IntRange(0),
              help="seconds an idle connection stays open")  # fmt: skip
@click.option("--graceful-timeout", default=30, show_default=True, type=click.IntRange(1),
              help="seconds SIGTERM waits for requests in flight")  # fmt: skip
@click.option("--max-requests", default=100_000, show_default=True, type=click.IntRange(0),
              help="replace a worker after about this many requests (0: never)")  # fmt: skip
@click.option("--max-requests-jitter", default=10_000, show_default=True,
              type=click.IntRange(0), help="so workers are not all replaced at once")  # fmt: skip
@click.option("--worker-connections", default=1_000, show_default=True, type=click.IntRange(1),
              help="open connections per worker, idle ones included")  # fmt: skip
@click.option("--access-log", default=None, help="file for the access log, - for stderr")
@click.pass_context
def serve(ctx: click.Context, /, **options: object) -> None:
    """Serve the REST API: a gunicorn master and its gevent worker processes (each request
    and idle connection a greenlet; `--worker-class gthread` on full: thread workers). On
    `full` live streams are left to `chirp stream`; on `embedded` the workers hold them
    too and run the worker's roles (the outbox relay and the jobs). SIGTERM stops
    gracefully: requests in flight are answered first."""
    from entrypoints.http.app import create_app
    from entrypoints.http.server import options_of, run

    container = container_of(ctx)
    profile = _servable(container)
    embedded = profile == "embedded"
    threaded = options.pop("worker_class") == "gthread"
    if threaded and embedded:
        raise click.UsageError("embedded holds live streams in its workers: gevent only")
    chosen = options_of(**options, worker_class="gthread" if threaded else GEVENT)
    app = create_app(container, streams=embedded)
    click.echo(f"chirp on http://{chosen.bind}/ (profile {profile}, {chosen.workers} workers)")
    run(app, container, chosen)


def _servable(container: Container) -> str:
    profile = container.settings().profile
    if profile == "memory":
        # Its fake clock never moves: rate-limit windows would never reset, tokens never
        # expire; and each worker process would hold a world of its own.
        raise click.ClickException(
            "the memory profile is for tests only and cannot be served: "
            "use CHIRP_PROFILE=embedded (or full)"
        )
    return profile


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1),
              help="worker processes (each holds thousands of streams)")  # fmt: skip
@click.option("--worker-connections", default=10_000, show_default=True,
              type=click.IntRange(1), help="open connections (streams) per worker")  # fmt: skip
@click.option("--graceful-timeout", default=30, show_default=True, type=click.IntRange(1),
              help="seconds SIGTERM waits for requests in flight")  # fmt: skip
@click.option("--access-log", default=None, help="file for the access log, - for stderr")
@click.pass_context
def stream(ctx: click.Context, /, **options: object) -> None:
    """Serve live streams (GET /api/newsfeeds/stream/) on gevent workers: each open stream
    is a greenlet, not a thread. Route that path here from the proxy; the rest of the API
    answers too, but `chirp serve` is where it belongs. SIGTERM ends the open streams (their
    clients reconnect and replay) and stops."""
    from entrypoints.http.app import create_app
    from entrypoints.http.server import options_of, run

    container = container_of(ctx)
    profile = _servable(container)
    chosen = options_of(**options, worker_class=GEVENT, max_requests=0)
    click.echo(f"chirp stream on http://{chosen.bind}/ (profile {profile})")
    run(create_app(container, streams=True), container, chosen, roles=False)


@click.command()
@click.option(
    "--processes",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="worker processes (this one and its children)",
)
@click.option(
    "--threads",
    default=None,
    type=click.IntRange(1),
    help="job threads per process  [default: CHIRP_WORKER_THREADS]",
)
@click.option(
    "--relay/--no-relay",
    default=True,
    show_default=True,
    help="also run the outbox relay (and the hourly token purge) in this process",
)
@click.pass_context
def worker(ctx: click.Context, processes: int, threads: int | None, relay: bool) -> None:
    """Run the fan-out jobs (and the outbox relay) until SIGTERM or Ctrl-C; jobs in flight
    then finish or go back to the queue."""
    overrides = {} if threads is None else {"worker_threads": threads}
    container = container_of(ctx, **overrides)
    if container.settings().profile == "memory":
        raise click.ClickException("the memory profile has no queue another process can use")
    children = [_spawn_worker(threads) for _ in range(processes - 1)]
    if relay:
        container.relay_loop()  # it rides out a broker outage by itself
        # One process per deployment runs the relay: it also purges expired tokens hourly.
        container.token_purge()
    click.echo(
        f"chirp worker: {processes} process(es), {container.settings().worker_threads} threads each"
    )
    with _terminated_by_signals() as stopped:
        # A broker that is down at start is waited for, not a reason to exit: a worker
        # that died here would leave the jobs to pile up once the broker is back.
        while not _consuming(container) and not stopped.wait(CONSUMER_RETRY_SECONDS):
            pass
        stopped.wait()
    for child in children:
        child.terminate()
    for child in children:
        child.wait()
    click.echo("chirp worker stopped")


def _consuming(container: Container) -> bool:
    try:
        container.job_consumer()
        return True
    except Unavailable as exc:
        click.echo(f"{exc.message}; trying again in {CONSUMER_RETRY_SECONDS} s", err=True)
        return False


def _spawn_worker(threads: int | None) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "entrypoints.cli", "worker", "--no-relay"]
    return subprocess.Popen(command + ([] if threads is None else ["--threads", str(threads)]))


@click.group()
def jobs() -> None:
    """Background jobs that failed every attempt."""


@jobs.command("dead")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1))
@click.pass_context
def dead_jobs(ctx: click.Context, limit: int) -> None:
    """List dead jobs, oldest first: id, kind, tweet, attempts, last error."""
    with domain_errors():
        dead = container_of(ctx).dispatcher().dead(limit)
    for entry in dead:
        job = entry.job
        click.echo(
            f"{job.id}\t{job.kind.value}\ttweet {job.tweet_id}\t"
            f"{entry.attempts} attempts\t{entry.error}"
        )
    click.echo(f"{len(dead)} dead job(s)")


@jobs.command("retry")
@click.pass_context
def retry_jobs(ctx: click.Context) -> None:
    """Put every dead job back on the queue with fresh attempts."""
    with domain_errors():
        count = container_of(ctx).dispatcher().retry_dead()
    click.echo(f"requeued {count} job(s)")


COMMANDS = (serve, stream, worker, jobs)
