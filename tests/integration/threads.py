"""Running steps at the same time on threads, for the race tests."""

from __future__ import annotations

import threading
from collections.abc import Callable


def run_together(*steps: Callable[[], None], timeout: float = 10.0) -> None:
    """Run each step on its own thread and wait up to `timeout` seconds for all of them;
    re-raise the first failure in the calling (test) thread."""
    errors: list[BaseException] = []

    def guarded(step: Callable[[], None]) -> None:
        try:
            step()
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=guarded, args=(step,)) for step in steps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a racing thread hung"
    if errors:
        raise errors[0]
