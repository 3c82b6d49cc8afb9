"""gunicorn's gevent worker, closing connections as its gthread worker does (gracefully),
and dropping a peer that stalls."""

from __future__ import annotations

from typing import Any

from gunicorn import util
from gunicorn.workers.ggevent import GeventWorker

DEFAULT_STALL_SECONDS = 60.0


class GuardedSocket:
    """A client socket with two changes; everything else is the socket's.

    - Close half-closes first and drains what the client still sends (bounded in bytes
      and time), as RFC 9112 §9.6 asks: closing with unread bytes (a body refused with 413
      before it was read) makes the kernel reset the connection, and the client may then
      lose the answer already sent.
    - "Blocking" waits at most `stall` seconds for each read or write: a live stream whose
      client stopped reading would otherwise hold its greenlet and subscription until TCP
      gave up, which for a peer that is alive but not reading is never.
    """

    __slots__ = ("_sock", "_stall")

    def __init__(self, sock: Any, stall: float) -> None:
        self._sock = sock
        self._stall = stall

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def setblocking(self, flag: bool) -> None:
        self._sock.settimeout(self._stall if flag else 0.0)

    def close(self) -> None:
        util.close_graceful(self._sock)


class ChirpGeventWorker(GeventWorker):  # type: ignore[misc]
    """gunicorn's gevent worker with GuardedSocket on every connection; the stall bound is
    the server's (`ChirpServer.stall_seconds`, from CHIRP_STALL_MS)."""

    def handle(self, listener: Any, client: Any, addr: Any) -> None:
        stall = getattr(self.app, "stall_seconds", DEFAULT_STALL_SECONDS)
        super().handle(listener, GuardedSocket(client, stall), addr)
