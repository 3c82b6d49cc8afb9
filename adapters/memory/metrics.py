"""InMemoryMetrics: the Metrics port as plain counts, for tests of what the core measures."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping

from core.ports.metrics import Metrics


class InMemoryMetrics(Metrics):
    """Totals a test can read: requests by (route, method, status), cache hits and misses,
    fan-out lags in order, refusals by action. Its exposition is a plain listing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, str, int]] = Counter()
        self.hits = 0
        self.misses = 0
        self.lags: list[float] = []
        self.refused: Counter[str] = Counter()

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(route, method, status)] += 1

    def cache_lookups(self, hits: int, misses: int) -> None:
        with self._lock:
            self.hits += hits
            self.misses += misses

    def fanout_lag(self, seconds: float) -> None:
        with self._lock:
            self.lags.append(seconds)

    def rate_limited(self, action: str) -> None:
        with self._lock:
            self.refused[action] += 1

    def exposition(self, gauges: Mapping[str, tuple[str, float]]) -> tuple[bytes, str]:
        lines = [f"{name} {value}" for name, (_, value) in gauges.items()]
        lines += [f"cache_hits {self.hits}", f"cache_misses {self.misses}"]
        return "\n".join(lines).encode() + b"\n", "text/plain; charset=utf-8"
