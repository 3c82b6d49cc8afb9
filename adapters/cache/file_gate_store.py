"""FileGateStore: feature gates in a JSON file, shared by the server and the CLI."""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from adapters.cache.gate_codec import gate_from_settings, gate_settings
from core.domain.errors import Unavailable
from core.domain.gates import Gate
from core.ports.gate_store import GateStore


class FileGateStore(GateStore):
    """Gates in one JSON file, in the shape the Redis gate store uses (`gate_codec`).

    The file lets the CLI (`chirp gates set`) and every server process share gates: every
    read reloads it when it changed, and a write holds a lock file, re-reads, then replaces
    the file atomically, so concurrent writers lose nothing and readers never see half a file.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._path = Path(path)
        self._gates: dict[str, Gate] = {}
        self._seen: tuple[int, int, int] | None = None
        self._lock = threading.Lock()

    def get(self, name: str) -> Gate | None:
        with self._lock, _unavailable_on_io_error():
            self._reload_if_changed()
            return self._gates.get(name)

    def put(self, gate: Gate) -> None:
        with self._lock, _unavailable_on_io_error(), self._file_lock():
            self._reload_if_changed()
            self._gates[gate.name] = gate
            self._write()

    def all(self) -> list[Gate]:
        with self._lock, _unavailable_on_io_error():
            self._reload_if_changed()
            return [self._gates[name] for name in sorted(self._gates)]

    def _reload_if_changed(self) -> None:
        try:
            stat = self._path.stat()
        except FileNotFoundError:
            self._gates, self._seen = {}, None
            return
        # A write replaces the file, so a new inode, mtime or size means new content.
        signature = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
        if signature != self._seen:
            body = json.loads(self._path.read_text(encoding="utf-8") or "{}")
            gates = body.get("gates", {})
            self._gates = {name: gate_from_settings(name, gates[name]) for name in gates}
            self._seen = signature

    def _write(self) -> None:
        body = {"gates": {name: gate_settings(g) for name, g in sorted(self._gates.items())}}
        fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=f".{self._path.name}.")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(body, out, indent=2)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self._path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        stat = self._path.stat()
        self._seen = (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    @contextmanager
    def _file_lock(self) -> Iterator[None]:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._path.with_name(self._path.name + ".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file, fcntl.LOCK_UN)


@contextmanager
def _unavailable_on_io_error() -> Iterator[None]:
    try:
        yield
    except (OSError, ValueError) as exc:
        raise Unavailable(f"gate file is unavailable: {exc}") from exc
