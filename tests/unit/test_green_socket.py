"""The gevent server's client socket: a peer that stops reading cannot hold a send for ever."""

from __future__ import annotations

import socket
import threading

from entrypoints.http.green import GuardedSocket


def test_a_blocking_send_to_a_peer_that_reads_nothing_gives_up_after_the_stall_bound() -> None:
    ours, theirs = socket.socketpair()
    outcome: list[BaseException] = []

    def send() -> None:
        try:
            guarded.sendall(b"x" * (64 * 1024 * 1024))  # far past both buffers
        except OSError as exc:
            outcome.append(exc)

    with ours, theirs:
        guarded = GuardedSocket(ours, stall=0.2)
        guarded.setblocking(True)  # what gunicorn asks for
        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        sender.join(10)  # a guard against a hang, not a measurement
        assert not sender.is_alive(), "the send to a peer that reads nothing never ended"
        assert isinstance(outcome[0], TimeoutError)


def test_close_drains_what_the_peer_still_sends_so_the_answer_is_not_reset() -> None:
    ours, theirs = socket.socketpair()
    with theirs:
        theirs.sendall(b"an unread request body")
        guarded = GuardedSocket(ours, stall=1.0)
        guarded.sendall(b"HTTP/1.1 413")
        theirs.shutdown(socket.SHUT_WR)
        guarded.close()
        assert theirs.recv(100) == b"HTTP/1.1 413"
        assert theirs.recv(100) == b""  # a clean end, not a reset
