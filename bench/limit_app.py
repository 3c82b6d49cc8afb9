"""The limit for bench/http_load.py: bare Flask views returning given bodies, on sync gunicorn
(or, for bench/worker_classes.py, on the worker class named after the port)."""

from __future__ import annotations

import sys

WORKER_CLASS = sys.argv[2] if len(sys.argv) > 2 else "sync"
if WORKER_CLASS != "sync":
    from gevent import monkey  # before anything else imports socket or ssl

    monkey.patch_all()

import json  # noqa: E402
import os  # noqa: E402
from typing import Any  # noqa: E402

from flask import Flask, jsonify, request  # noqa: E402
from gunicorn.app.base import BaseApplication  # noqa: E402

app = Flask("limit")
app.json.sort_keys = False  # type: ignore[attr-defined]
BODIES: dict[str, Any] = json.loads(os.environ.get("BENCH_BODIES", "{}"))


@app.route("/<path:path>", methods=["GET", "POST"])
def answer(path: str) -> Any:
    """The body chirp gave for this path, with nothing else done."""
    return jsonify(BODIES[request.path])


class Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, port: int) -> None:
        self._port = port
        super().__init__()

    def load_config(self) -> None:
        self.cfg.set("bind", [f"127.0.0.1:{self._port}"])
        self.cfg.set("workers", len(os.sched_getaffinity(0)))
        self.cfg.set("worker_class", WORKER_CLASS)
        self.cfg.set("keepalive", 5)  # chirp serve's default; sync workers close anyway
        self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        return app


if __name__ == "__main__":
    Server(int(sys.argv[1])).run()
