"""Worker numbers for snowflake ids: one per process, claimed with a lock file in the data folder.

Two processes making ids with one worker number collide whenever both make an id in the
same microsecond with the same sequence: seen as a duplicate primary key (a 500) on one POST
in about five thousand, with two `chirp serve` workers posting at once. So every process
claims its own number.

Rules:
- A process claims the first number of its machine's range (`CHIRP_WORKER_ID` onwards,
  `CHIRP_WORKER_ID_COUNT` of them) whose lock file (`<data folder>/ids/worker-<n>.lock`)
  no other living process holds, and holds it until it exits. The lock is an fcntl record
  lock: the kernel drops it when the process dies, however it dies, so a number is never
  held by the dead; and a forked child holds none of its parent's locks, so a gunicorn
  worker claims its own after the fork, never its master's.
- The processes of one machine share the data folder (they do already, for the secret key
  and on embedded the database). Machines get disjoint ranges.
- One claim per process and folder, counted: a second container in the process gets the
  same number (tests build many; a serving process has one), and the lock is let go when
  the last of them shuts down (`holding_worker`, a container resource). The lock file is
  never opened twice by one process, since closing any descriptor of it drops the lock.
- When every number of the range is held, the claim fails loudly: making ids with a shared
  number would fail requests later instead.
"""

from __future__ import annotations

import fcntl
import os
import threading
from collections.abc import Generator
from pathlib import Path
from typing import IO

from core.domain import ids

_claims: dict[Path, tuple[int, IO[bytes], int, int]] = {}  # folder -> number, file, pid, uses
_guard = threading.Lock()


def holding_worker(folder: Path, first: int, count: int) -> Generator[int, None, None]:
    """A container resource: this process's worker number, let go at shutdown."""
    number = claim_worker(folder, first, count)
    try:
        yield number
    finally:
        release_worker(folder)


def release_worker(folder: Path) -> None:
    """One use of the folder's claim is over; the last lets the number go."""
    place = (folder / "ids").resolve()
    with _guard:
        held = _claims.get(place)
        if held is None or held[2] != os.getpid():
            return
        number, handle, pid, uses = held
        if uses > 1:
            _claims[place] = (number, handle, pid, uses - 1)
            return
        del _claims[place]
        handle.close()


def claim_worker(folder: Path, first: int, count: int) -> int:
    """This process's worker number in `first` .. `first + count - 1` (see the rules)."""
    if not 0 <= first <= first + count - 1 <= ids.MAX_WORKER:
        raise ValueError(f"worker numbers must lie within 0-{ids.MAX_WORKER}")
    place = (folder / "ids").resolve()
    with _guard:
        held = _claims.get(place)
        if held is not None and held[2] == os.getpid():
            _claims[place] = (*held[:3], held[3] + 1)
            return held[0]
        place.mkdir(parents=True, exist_ok=True)
        for number in range(first, first + count):
            handle = (place / f"worker-{number}.lock").open("a+b")
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            _claims[place] = (number, handle, os.getpid(), 1)
            return number
    raise RuntimeError(
        f"all {count} worker numbers from {first} are held by other processes of this "
        f"machine ({place}): stop one, or give the machine more (CHIRP_WORKER_ID_COUNT)"
    )
