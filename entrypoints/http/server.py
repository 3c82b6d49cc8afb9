"""The production HTTP server: a gunicorn master forking gevent (or gthread) workers around the app.

Rules that keep several worker processes correct:
- The master builds the app once (preloaded, so workers share its memory) and opens nothing
  that would cross a fork: no engine, pool, client or thread. It checks this before every
  fork. On the embedded profile it brings the SQLite schema up to date first, with an
  engine it closes again, so workers never race to migrate a fresh file.
- Each worker, once forked, starts its own background roles (`Container.server_roles`:
  on embedded the job consumer and the outbox relay loop) and opens its own engines as
  they are used; at exit it stops them in order (`shutdown_resources`).
- Jobs run once: the SQL queue leases each job to one consumer, whichever worker holds it.
  The relay runs in every worker, as it already did on several threads (and after each
  commit that records a job): two relays may publish one job twice, and every job is
  idempotent, so a second run changes nothing.
- gevent workers (`chirp serve` by default, `chirp stream` always) hold each connection,
  idle ones and streams included, on a greenlet, so idle clients never hold up a new one;
  connections take turns between requests (`green.ChirpGeventWorker`). The process was
  monkey-patched before anything was imported (`entrypoints.cli.launch`). When such a
  worker stops, its open streams are ended at once (clients reconnect elsewhere and
  replay), so a graceful stop does not wait the whole `graceful_timeout` on them. They
  were chosen over gthread for the API after the hot lane: on full, more requests a
  second for the feed page and tweet detail, and less memory, in the same bench.
- gthread workers (`--worker-class gthread`, full only) keep idle keep-alive connections
  in a poller, not on a thread; past `worker_connections - threads` kept-alive
  connections a worker closes a connection after its answer instead of keeping it.
- SIGTERM is graceful: workers stop accepting, finish the requests they hold (within
  `graceful_timeout`), then stop their roles. SIGINT (Ctrl-C) stops at once.
- Metrics: before forking, the master makes a fresh PROMETHEUS_MULTIPROC_DIR (no counts
  of an earlier run survive), each worker writes its own files there, any worker's
  /metrics sums them, and the master marks a worker that exited (`child_exit`, which
  also hears of a worker killed outright) and removes the folder when it stops.
- Logs: gunicorn's error log goes through chirp's logging setup (one format for every
  line); its access log stays opt-in (`--access-log`), beside the app's own access lines.
"""

from __future__ import annotations

import gc
import os
import resource
import shutil
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from dependency_injector import providers
from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from container import Container

# prometheus-client's own variable (its name written once here; the library reads it).
MULTIPROC_DIR = "PROMETHEUS_MULTIPROC_DIR"

# A request line, header count and header size past these get 400/431 from gunicorn itself
# (its defaults, written down): a bearer token or session cookie is far below the size.
REQUEST_LIMITS = {
    "limit_request_line": 4094,
    "limit_request_fields": 100,
    "limit_request_field_size": 8190,
}
# Gunicorn's access log format plus the time taken and the worker's pid (which process
# answered, when a problem shows in one worker only).
ACCESS_LOG_FORMAT = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" pid=%(p)s'


def cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True, slots=True, kw_only=True)
class ServeOptions:
    """How `chirp serve` runs: its address and gunicorn's process and connection knobs."""

    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = field(default_factory=cores)
    threads: int = 4  # request threads per gthread worker
    keep_alive: int = 5  # seconds an idle connection stays open
    graceful_timeout: int = 30  # seconds SIGTERM waits for requests in flight
    max_requests: int = 100_000  # a worker is replaced after about this many (0: never)
    max_requests_jitter: int = 10_000  # so workers are not all replaced at once
    worker_connections: int = 1_000  # open connections per worker, idle ones included
    access_log: str | None = None  # a file, "-" for stderr, None for none
    worker_class: str = "gthread"  # the CLI's default is the gevent one (green.py)

    @property
    def bind(self) -> str:
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"


def gunicorn_config(options: ServeOptions) -> dict[str, Any]:
    """Gunicorn's settings for `options` (hooks aside)."""
    return {
        "bind": [options.bind],
        "workers": options.workers,
        "worker_class": options.worker_class,
        "threads": options.threads,
        "worker_connections": options.worker_connections,
        "keepalive": options.keep_alive,
        "graceful_timeout": options.graceful_timeout,
        "max_requests": options.max_requests,
        "max_requests_jitter": options.max_requests_jitter,
        "preload_app": True,
        # X-Forwarded-* are the app's to believe or not (CHIRP_TRUSTED_PROXIES); gunicorn
        # would otherwise take the scheme from any local peer's headers.
        "forwarded_allow_ips": "",
        "accesslog": options.access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "proc_name": "chirp",
        # Its default path is one per user: two servers on one machine would share it.
        "control_socket_disable": True,
        **REQUEST_LIMITS,
    }


class ChirpServer(BaseApplication):  # type: ignore[misc]
    """Gunicorn run in-process on an app built here (so `chirp serve` stays one command),
    with the worker hooks that start and stop each worker's background roles."""

    def __init__(
        self, app: Flask, container: Container, options: ServeOptions, *, roles: bool = True
    ) -> None:
        self._app = app
        self._container = container
        self._options = options
        self._roles = roles
        super().__init__()

    def load_config(self) -> None:
        config = {
            **gunicorn_config(self._options),
            "pre_fork": self._before_fork,
            "post_worker_init": self._start_worker,
            "worker_exit": self._stop_worker,
            "child_exit": _forget_worker,
            "logger_class": ChirpLogger,
        }
        for key, value in config.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app

    @property
    def stall_seconds(self) -> float:
        """How long a gevent worker's connection may neither take nor send a byte."""
        return float(self._container.settings().stall_ms) / 1000

    def _before_fork(self, _arbiter: Any, _worker: Any) -> None:
        ensure_nothing_open(self._container)

    def _start_worker(self, worker: Any) -> None:
        if self._roles:
            self._container.server_roles()
        # Built now, not in the worker's first request: making the S3 client (boto3 loads
        # its service model) held every request of a new worker for about 100 ms.
        self._container.lookups()
        # What the worker built to start lives as long as it: out of the collector's sight,
        # a full collection walks only what requests made (the first one took 80-95 ms).
        gc.freeze()
        green = self._options.worker_class != "gthread"  # green: it holds live streams
        args = (worker, self._container, green)
        threading.Thread(target=_wind_down_on_stop, args=args, daemon=True).start()

    def _stop_worker(self, _arbiter: Any, _worker: Any) -> None:
        self._container.shutdown_resources()


class ChirpLogger(Logger):  # type: ignore[misc]
    """Gunicorn's logger with its error log handed to the root logger's handler (chirp's
    format, request ids included), instead of a handler and format of its own."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.error_log.handlers.clear()
        self.error_log.propagate = True


def _wind_down_on_stop(worker: Any, container: Container, green: bool) -> None:
    """Watch the worker (a greenlet once patched). When it stops accepting, while it still
    answers the requests it holds: take no new job (those in flight finish or go back to
    the queue), and end its open streams (their clients reconnect elsewhere)."""
    while worker.alive:
        time.sleep(0.25)
    if container.job_consumer.initialized:
        container.job_consumer.shutdown()
    if green:
        container.live_feed().close_all()


def _forget_worker(_arbiter: Any, worker: Any) -> None:
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)  # type: ignore[no-untyped-call]


def ensure_nothing_open(container: Container) -> None:
    """Raise when an engine, client or background role of `container` is open: a fork
    would share it between processes (a SQLite connection or a thread does not survive
    that)."""
    opened = [p for p in container.traverse(types=[providers.Resource]) if p.initialized]
    if opened:
        raise RuntimeError(f"{len(opened)} resource(s) opened before the workers were forked")


def prepare(container: Container) -> None:
    """What the master does once for every worker: the data folder's secret key and, on
    embedded, the SQLite schema; then it closes whatever that opened, and forgets what was
    built on it (a worker builds its own)."""
    container.secret_key()
    if container.settings().profile == "embedded":
        container.migrate()
    container.shutdown_resources()
    container.reset_singletons()


def run(app: Flask, container: Container, options: ServeOptions, *, roles: bool = True) -> None:
    """Serve `app` until SIGTERM (graceful) or SIGINT; exits the process when done. `roles`:
    whether each worker also runs the profile's background roles (`server_roles`)."""
    prepare(container)
    open_files_as_allowed()
    master, folder = os.getpid(), fresh_metrics_dir()
    try:
        ChirpServer(app, container, options, roles=roles).run()
    finally:
        if os.getpid() == master:  # a worker leaves through here too, on its way out
            shutil.rmtree(folder, ignore_errors=True)


def open_files_as_allowed() -> None:
    """Raise this process's open-file limit to its hard limit (inherited by the workers):
    each connection is a descriptor, and the usual soft limit of 1,024 would refuse the
    1,025th open stream."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def fresh_metrics_dir() -> str:
    """A new empty folder for the workers' metric files, named in the environment (where
    prometheus-client looks, in this process and the forked workers)."""
    folder = tempfile.mkdtemp(prefix="chirp-metrics-")
    os.environ[MULTIPROC_DIR] = folder
    return folder


def options_of(**given: Any) -> ServeOptions:
    """ServeOptions from command-line values, None meaning the default."""
    defaults = asdict(ServeOptions())
    return ServeOptions(**{k: v for k, v in given.items() if v is not None and k in defaults})
