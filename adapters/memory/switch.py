"""Switch and Interleaving: the test seams that take a backend down or interleave a step."""

from __future__ import annotations

import logging
from collections.abc import Callable

from core.domain.errors import Unavailable

log = logging.getLogger("chirp.cache")


class Interleaving:
    """`before(operation, action)` runs `action` once, just before the next `operation`
    starts (outside any lock), so a test can force a race into the gap it names."""

    def __init__(self) -> None:
        self._before: dict[str, Callable[[], object]] = {}

    def before(self, operation: str, action: Callable[[], object]) -> None:
        """Run `action` once, right before the next call of `operation` (e.g. "fill")."""
        self._before[operation] = action

    def _interleave(self, operation: str) -> None:
        action = self._before.pop(operation, None)
        if action is not None:  # popped first, so an action that calls us again runs once
            action()


class Switch(Interleaving):
    """`available = False` takes the backend down: `check` raises Unavailable (stores that must
    not guess) and `reachable` logs and answers False (caches that degrade to empty). Races
    are forced with `before` (Interleaving).
    """

    def __init__(self) -> None:
        super().__init__()
        self.available = True

    def check(self) -> None:
        if not self.available:
            raise Unavailable(f"{type(self).__name__} is switched off")

    def reachable(self) -> bool:
        if not self.available:
            log.warning("%s is switched off; behaving as empty", type(self).__name__)
        return self.available
