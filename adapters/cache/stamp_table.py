"""StampTable: a file of 64-bit write stamps, mapped by every process of a data folder."""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import threading
from collections.abc import Callable, Iterable
from pathlib import Path

STAMP_BYTES = 8
# 8 MiB, created sparse: keys sharing a slot only cost each other misses, so collisions
# among the hot keys of one deployment (far fewer than a million) stay rare.
DEFAULT_SLOTS = 2**20
_WRAP = 2**64 - 1


class StampTable:
    """Slots of unsigned 64-bit stamps in one file that every process maps (MAP_SHARED), so a
    bump made by one process is the value every other process reads next.

    - A key's slot is a stable hash of it (BLAKE2b, not Python's `hash`, which is salted per
      process), modulo the slot count; keys sharing a slot share a stamp.
    - The slot count is the file's size, fixed by the first process that makes the file, so
      processes configured differently still agree on every key's slot.
    - Reads take no lock. The map starts page-aligned and a slot is 8 bytes at a multiple of
      8, so a read or a write of one slot is one aligned 8-byte load or store (CPython's
      memoryview moves a 'Q' item with an 8-byte memcpy), which x86-64 and ARM64 perform
      whole: a reader sees the old stamp or the new one, never half of each. (Were a read
      ever torn, its value would match no entry and no lease: a miss, not a stale hit.)
      The map is the same physical pages in every process, so a read that starts after a
      bump has returned sees it.
    - `bump` holds an exclusive fcntl lock on the file around its read-modify-write, so no
      bump is lost: without it, a bump that read a stamp before another bump's store could
      store that stamp + 1 after a reader had leased the other's equal value, and a stale
      fill under that lease would be served as current. fcntl locks belong to a process,
      so a threading lock also keeps this process's own threads (or greenlets) apart.
    - gevent: the locks are held only across memory stores, never across anything that
      could yield; a worker blocked on another process's lock waits microseconds.
    - The file lives as long as the data folder: a process that made a new one while
      others still map the old would not hear their bumps (as with the SQLite files).
    - Nothing is opened until the first call, so a gunicorn master that builds the container
      before forking holds no file or map; a process that forked with the table open still
      shares it (the map is shared), with its own fcntl locks.
    """

    def __init__(self, path: str | os.PathLike[str], slots: int = DEFAULT_SLOTS) -> None:
        if slots < 1:
            raise ValueError("a stamp table has at least one slot")
        self._path = Path(path)
        self._wanted_slots = slots
        self._lock = threading.Lock()
        self._fd = -1
        self._map: mmap.mmap | None = None
        self._stamps: memoryview | None = None
        self.count = 0
        # Test seam: runs once, inside the next bump, after its reads and before its stores.
        self.inside_bump: Callable[[], object] | None = None

    def stamps(self) -> memoryview:
        """The table as unsigned 64-bit items (index a slot); opened on first use. OSError
        when the file cannot be made or mapped."""
        stamps = self._stamps
        if stamps is None:
            with self._lock:
                if self._stamps is None:
                    self._open()
                stamps = self._stamps
            assert stamps is not None
        return stamps

    def slot_of(self, key: str) -> int:
        """The slot holding `key`'s stamp (opens the table, whose size sets the count)."""
        if not self.count:
            self.stamps()
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        return int.from_bytes(digest, "little") % self.count

    def bump(self, slots: Iterable[int]) -> dict[int, int]:
        """Add one to every slot, atomically for each across processes; the new stamps."""
        stamps = self.stamps()
        wanted = sorted(set(slots))
        with self._lock:
            fcntl.lockf(self._fd, fcntl.LOCK_EX)
            try:
                bumped = {slot: (stamps[slot] + 1) & _WRAP for slot in wanted}
                self._run_seam()
                for slot, stamp in bumped.items():
                    stamps[slot] = stamp
            finally:
                fcntl.lockf(self._fd, fcntl.LOCK_UN)
        return bumped

    def close(self) -> None:
        """Unmap and close the file (tests; a server process keeps it until exit)."""
        with self._lock:
            if self._stamps is not None:
                self._stamps.release()
            if self._map is not None:
                self._map.close()
            if self._fd >= 0:
                os.close(self._fd)
            self._stamps, self._map, self._fd = None, None, -1

    def _open(self) -> None:
        fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o660)
        try:
            size = self._sized(fd)
            if size < STAMP_BYTES or size % STAMP_BYTES:
                raise OSError(f"{self._path} is {size} bytes, not a table of 8-byte stamps")
            table = mmap.mmap(fd, size)
        except BaseException:
            os.close(fd)
            raise
        self._fd, self._map = fd, table
        self._stamps = memoryview(table).cast("Q")
        self.count = size // STAMP_BYTES

    def _sized(self, fd: int) -> int:
        # Under the lock, so two processes making the file at once agree on its size; a
        # file that exists keeps its size (and its stamps): ftruncate never shrinks it here.
        fcntl.lockf(fd, fcntl.LOCK_EX)
        try:
            size = os.fstat(fd).st_size
            if size == 0:
                size = self._wanted_slots * STAMP_BYTES
                os.ftruncate(fd, size)
            return size
        finally:
            fcntl.lockf(fd, fcntl.LOCK_UN)

    def _run_seam(self) -> None:
        seam, self.inside_bump = self.inside_bump, None
        if seam is not None:
            seam()
