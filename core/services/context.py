"""The request id of the work in progress: set by an entrypoint, read by services and logs.

Why a context variable and not a parameter: the id is ambient (every log line of a request,
every job it records), and threading it through each service method would change every
signature for a value no business rule reads. Rules:
- An entrypoint binds it for exactly the span of one unit of work (a request, a job) with
  `bound(...)` (or `bind` then `unbind`), which restores the previous value after, so
  nothing leaks into the next request a thread serves. Each thread (gunicorn's gthread
  workers, the job consumers) sees its own value; a thread started inside a request does
  not inherit it (only asyncio and `contextvars.copy_context` copy a context).
- Services read it only where they create a job (`Job.request_id`); a job split into
  batches copies its parent's id explicitly, whatever is bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token

_request_id: ContextVar[str | None] = ContextVar("chirp_request_id", default=None)


def request_id() -> str | None:
    """The id bound to the work in progress, None outside a request or job."""
    return _request_id.get()


def bind(value: str | None) -> Token[str | None]:
    """Bind `value` until `unbind` of the token returned (for hooks that open and close a
    span in two calls, like a web framework's before and teardown of a request)."""
    return _request_id.set(value)


def unbind(token: Token[str | None]) -> None:
    """Restore the id bound before `bind` returned `token`."""
    _request_id.reset(token)


@contextmanager
def bound(value: str | None) -> Iterator[None]:
    """Bind `value` as the request id inside the block, and the previous one after."""
    token = bind(value)
    try:
        yield
    finally:
        unbind(token)
