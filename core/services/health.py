"""Readiness: whether every backend the process was configured with answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from core.domain.errors import Unavailable


def readiness_report(checks: Mapping[str, Callable[[], object]]) -> dict[str, str | None]:
    """Each configured backend's name, with None when it answers or why it does not.

    - Every check runs, so one report names every failing backend, not only the first.
    - A check signals failure by raising Unavailable; anything else is a bug and propagates.
    """
    report: dict[str, str | None] = {}
    for name, check in checks.items():
        try:
            check()
            report[name] = None
        except Unavailable as exc:
            report[name] = exc.message
    return report
