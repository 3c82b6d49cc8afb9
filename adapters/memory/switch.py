"""Switch: the `available` flag that lets a test take a fake backend down."""

from __future__ import annotations

from core.domain.errors import Unavailable


class Switch:
    """Set `available = False` and every call raises Unavailable, like a backend that is down."""

    def __init__(self) -> None:
        self.available = True

    def check(self) -> None:
        if not self.available:
            raise Unavailable(f"{type(self).__name__} is switched off")
