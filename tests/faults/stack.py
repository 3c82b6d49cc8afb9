"""The processes of a fault or soak run: private Redis and Memcached servers, `chirp serve`
and `chirp worker` on the full profile, all on 127.0.0.1.

The shared cache servers (6379, 11211) are never touched: other suites use them at the same
time. Each run starts its own `redis-server` and `memcached` on free ports, in a folder of
its own, and may kill, pause and restart them. MariaDB, RabbitMQ and S3 stay the shared
ones, under a database and queue name of the run's own.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import redis
from pymemcache.client.base import Client

ROOT = Path(__file__).resolve().parents[2]
CHIRP = ROOT / ".venv" / "bin" / "chirp"
# Guards against a hang, not measurements.
START_GUARD_SECONDS = 60
STOP_GUARD_SECONDS = 30


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(
    condition: Callable[[], bool], what: str, timeout: float = START_GUARD_SECONDS
) -> None:
    """Poll `condition()` every 50 ms; raise naming `what` when it stays false."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout} s")
        time.sleep(0.05)


class CacheServer:
    """One private cache server process: started, killed (its data is gone), paused and
    resumed (its data stays, as after a network partition), stopped for good."""

    name = "cache"

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        folder.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        raise NotImplementedError

    def answers(self) -> bool:
        raise NotImplementedError

    def start(self) -> None:
        log = (self.folder / f"{self.name}.log").open("ab")
        self.process = subprocess.Popen(
            self.command(), cwd=self.folder, stdout=log, stderr=subprocess.STDOUT
        )
        log.close()
        try:
            wait_until(self.answers, f"private {self.name} on {self.port} answering")
        except BaseException:
            self.stop()
            raise

    def kill(self) -> None:
        """SIGKILL: the server and everything it held are gone at once."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(STOP_GUARD_SECONDS)

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, so every call times out."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGCONT)  # a paused process cannot act on TERM
            self.process.kill()
            self.process.wait(STOP_GUARD_SECONDS)


class PrivateRedis(CacheServer):
    name = "redis"

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def command(self) -> list[str]:
        # No persistence: a killed server comes back empty, like a lost cache node.
        return ["/usr/bin/redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.folder)]  # fmt: skip

    def answers(self) -> bool:
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5, socket_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()


class PrivateMemcached(CacheServer):
    name = "memcached"

    def command(self) -> list[str]:
        user = ["-u", "root"] if os.geteuid() == 0 else []  # memcached refuses root without it
        return ["/usr/bin/memcached", "-l", "127.0.0.1", "-p", str(self.port), "-U", "0",
                "-m", "64", *user]  # fmt: skip

    def answers(self) -> bool:
        client = Client(("127.0.0.1", self.port), connect_timeout=0.5, timeout=0.5)
        try:
            client.version()
            return True
        except OSError:
            return False
        finally:
            client.close()


class Partition:
    """A TCP proxy on 127.0.0.1 in front of a server, that can cut the network between its
    clients and the server while the server keeps running and keeps its data.

    Cut, every open connection is dropped and new ones are accepted but never answered, so
    each call times out: what a client sent then never reaches the server. (A paused server,
    SIGSTOP, is a different fault: the kernel still takes the bytes, and the server runs the
    commands when it resumes.) Healed, the held connections are closed and new ones pass.
    """

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._cut = threading.Event()
        self._lock = threading.Lock()
        self._open: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def cut(self) -> None:
        self._cut.set()
        self._close_all()

    def heal(self) -> None:
        self._cut.clear()
        self._close_all()

    def close(self) -> None:
        self._listener.close()
        self._close_all()

    def _close_all(self) -> None:
        with self._lock:
            held, self._open = self._open, []
        for sock in held:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return  # closed
            with self._lock:
                self._open.append(client)
            if self._cut.is_set():
                continue  # held, unanswered, until heal() or cut() closes it
            try:
                server = socket.create_connection(("127.0.0.1", self.target_port), timeout=2)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.append(server)
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=_pump, args=(source, sink), daemon=True).start()


def _pump(source: socket.socket, sink: socket.socket) -> None:
    """Copy bytes one way until either side closes."""
    try:
        while chunk := source.recv(65536):
            sink.sendall(chunk)
    except OSError:
        pass
    for sock in (source, sink):
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def chirp_env(
    database_url: str, queue: str, data_dir: Path, redis_url: str, memcached_port: int
) -> dict[str, str]:
    """The CHIRP_* settings shared by the run's API and worker processes."""
    return {
        "CHIRP_PROFILE": "full",
        "CHIRP_MYSQL_URL": database_url,
        "CHIRP_QUEUE_NAME": queue,
        "CHIRP_DATA_DIR": str(data_dir),
        "CHIRP_REDIS_URL": redis_url,
        "CHIRP_MEMCACHED_HOST": "127.0.0.1",
        "CHIRP_MEMCACHED_PORT": str(memcached_port),
        "CHIRP_RATELIMIT_ENABLED": "false",
        # The default cost takes about a second per sign-up on this machine.
        "CHIRP_SCRYPT_N": str(2**10),
        "CHIRP_RELAY_INTERVAL_MS": "100",
        "CHIRP_JOB_MIN_BACKOFF_MS": "50",
        "CHIRP_JOB_MAX_BACKOFF_MS": "1000",
        "CHIRP_LOG_LEVEL": "WARNING",
    }


class ChirpProcess:
    """A `chirp` subprocess in its own session (a kill reaches gunicorn's workers too),
    its output in a log file (a pipe nobody reads would fill and block it)."""

    def __init__(self, env: dict[str, str], log: Path, args: Sequence[str]) -> None:
        self.log = log
        with log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(CHIRP), *args], env={**os.environ, **env, "PYTHONPATH": str(ROOT)},
                cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip

    def alive(self) -> bool:
        return self.process.poll() is None

    def tail(self, chars: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def stop(self) -> None:
        if self.alive():
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(STOP_GUARD_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(STOP_GUARD_SECONDS)


def start_serve(env: dict[str, str], log: Path, workers: int = 2) -> tuple[ChirpProcess, int]:
    """`chirp serve` on a free port, once it answers /healthz/; (process, port)."""
    port = free_port()
    # No worker recycling: a leak must show in RSS, not be hidden by a restart.
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
            "--max-requests", "0"]  # fmt: skip
    serve = ChirpProcess(env, log, args)

    def ready() -> bool:
        if not serve.alive():
            raise RuntimeError(f"chirp serve exited:\n{serve.tail()}")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
        try:
            conn.request("GET", "/healthz/")
            return conn.getresponse().status == 200
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    _ready_or_stopped(serve, ready, "chirp serve answering")
    return serve, port


def start_worker(env: dict[str, str], log: Path, threads: int = 4) -> ChirpProcess:
    """`chirp worker` (relay loop and consumer), once it says it runs."""
    worker = ChirpProcess(env, log, ["worker", "--threads", str(threads)])

    def started() -> bool:
        if not worker.alive():
            raise RuntimeError(f"chirp worker exited:\n{worker.tail()}")
        return "threads each" in worker.tail()

    _ready_or_stopped(worker, started, "chirp worker started")
    return worker


def _ready_or_stopped(process: ChirpProcess, ready: Callable[[], bool], what: str) -> None:
    """Wait for `ready`; a process that never gets there is stopped, not left running."""
    try:
        wait_until(ready, what)
    except BaseException:
        process.stop()
        raise


def worker_pids(master_pid: int) -> list[int]:
    """The direct children of a process (gunicorn's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name in parentheses may hold spaces; the parent pid follows it.
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[1]) == master_pid:
            found.append(int(entry.name))
    return sorted(found)


def rss_kib(pid: int) -> int:
    """Resident set size of a process in KiB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0
