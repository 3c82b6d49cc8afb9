"""FakeClock: a clock that only moves when a test moves it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from core.ports.clock import Clock

START = datetime(2026, 1, 1, tzinfo=UTC)


class FakeClock(Clock):
    """Starts at 2026-01-01T00:00:00Z (or `start`) and never goes backwards."""

    def __init__(self, start: datetime = START) -> None:
        self._now = _aware(start)

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0.0) -> datetime:
        """Move forward by `seconds` (microsecond resolution); the new time."""
        if seconds < 0:
            raise ValueError("a clock does not go backwards")
        self._now += timedelta(seconds=seconds)
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment`, which may not be earlier than now."""
        moment = _aware(moment)
        if moment < self._now:
            raise ValueError("a clock does not go backwards")
        self._now = moment
        return self._now


def _aware(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock speaks aware UTC datetimes only")
    return moment.astimezone(UTC)
