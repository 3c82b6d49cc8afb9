"""gunicorn's gevent worker, closing connections as its gthread worker does (gracefully)."""

from __future__ import annotations

from typing import Any

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker


class LingeringClose:
    """A client socket whose close half-closes first and drains what the client still
    sends (bounded in bytes and time), as RFC 9112 §9.6 asks: closing with unread bytes (a
    body refused with 413 before it was read) makes the kernel reset the connection, and
    the client may then lose the answer already sent. Everything else is the socket's."""

    __slots__ = ("_sock",)

    def __init__(self, sock: Any) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def close(self) -> None:
        util.close_graceful(self._sock)


class ChirpGeventWorker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker with LingeringClose on every connection."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        super().handle(listener, LingeringClose(client), addr)
