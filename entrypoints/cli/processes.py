"""The long-running process types: the API server and the fan-out worker, and their jobs."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import click

from entrypoints.cli.common import container_of, domain_errors


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


def _interrupt(*_: object) -> None:
    raise KeyboardInterrupt


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the REST API with waitress; on the embedded profile this process also runs the
    worker's roles (the outbox relay and the jobs)."""
    import waitress

    from entrypoints.http.app import create_app

    container = container_of(ctx)
    app = create_app(container)
    container.server_roles()
    container.dispatcher().relay()  # what a previous run recorded but never published
    click.echo(f"chirp on http://{host}:{port}/ (profile {container.settings().profile})")
    server = waitress.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="chirp",
        # waitress buffers a whole body before the app sees it: past the app's largest body
        # limit it answers 413 itself, unread (it refuses a length equal to its max: + 1).
        max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1,
    )
    # waitress stops serving on KeyboardInterrupt; SIGTERM is made to mean the same, so the
    # jobs and pools are shut down in order when the command ends.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    finally:
        signal.signal(signal.SIGTERM, previous)
    click.echo("chirp stopped")


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
    help="also run the outbox relay in this process",
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
    container.job_consumer()
    if relay:
        container.relay_loop()
    click.echo(
        f"chirp worker: {processes} process(es), {container.settings().worker_threads} threads each"
    )
    with _terminated_by_signals() as stopped:
        stopped.wait()
    for child in children:
        child.terminate()
    for child in children:
        child.wait()
    click.echo("chirp worker stopped")


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


COMMANDS = (serve, worker, jobs)
