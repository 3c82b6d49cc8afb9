"""Degradation for cache adapters: a failing cache logs one warning and behaves as empty."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

LOG = logging.getLogger("chirp.cache")

F = TypeVar("F", bound=Callable[..., Any])


def degrades_to(
    empty: Callable[[], object], errors: tuple[type[BaseException], ...]
) -> Callable[[F], F]:
    """Wrap an adapter method so `errors` log one warning and return `empty()` instead.

    The store is the truth and a cache is an optimisation: a down cache must slow requests,
    never fail them.
    """

    def wrap(method: F) -> F:
        @functools.wraps(method)
        def guarded(self: object, *args: Any, **kwargs: Any) -> Any:
            try:
                return method(self, *args, **kwargs)
            except errors as exc:
                LOG.warning(
                    "%s.%s failed, behaving as an empty cache: %s: %s",
                    type(self).__name__,
                    method.__name__,
                    type(exc).__name__,
                    exc,
                )
                return empty()

        return guarded  # type: ignore[return-value]

    return wrap
