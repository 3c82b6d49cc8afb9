"""SystemClock: the real time, in UTC, never going backwards."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from core.ports.clock import Clock


class SystemClock(Clock):
    """`datetime.now(UTC)`, held at the last reading if the wall clock steps back (NTP)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._last = datetime.now(UTC)

    def now(self) -> datetime:
        with self._lock:
            self._last = max(self._last, datetime.now(UTC))
            return self._last
