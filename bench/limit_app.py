"""The limit for bench/http_load.py: bare Flask views returning given bodies, on sync gunicorn."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from flask import Flask, jsonify, request
from gunicorn.app.base import BaseApplication

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
        self.cfg.set("worker_class", "sync")
        self.cfg.set("control_socket_disable", True)

    def load(self) -> Flask:
        return app


if __name__ == "__main__":
    Server(int(sys.argv[1])).run()
