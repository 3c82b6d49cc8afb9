"""S3: moto's server mode, the in-memory emulator from the project's dev dependencies."""

from __future__ import annotations

import os
import shutil

from scripts.backing.probes import check_s3
from scripts.backing.process import Failure, spawn
from scripts.backing.server import Server
from scripts.backing.settings import HOST, S3_REGION, VENV


class S3(Server):
    name = "s3"
    token = "moto_server"
    start_timeout = 60.0

    @property
    def address(self) -> str:
        return f"http://{HOST}:{self.port}"

    def check(self) -> str | None:
        return check_s3(self.port)

    def _binary(self) -> str | None:
        venv_bin = VENV / "bin" / "moto_server"
        return str(venv_bin) if venv_bin.exists() else shutil.which("moto_server")

    def installed(self) -> bool:
        return self._binary() is not None

    def _require_binary(self) -> str:
        binary = self._binary()
        if binary is None:
            raise Failure(
                f"{self.name}: moto_server not found in {VENV}/bin or on PATH; install the dev "
                f"dependencies first (pip install -e '.[dev]', which has moto[server])"
            )
        return binary

    def install(self) -> None:
        self._require_binary()

    def start(self) -> None:
        env = dict(os.environ, AWS_DEFAULT_REGION=S3_REGION)
        proc = spawn([self._require_binary(), "-H", HOST, "-p", str(self.port)], self.log,
                     self.pidfile, env=env, cwd=self.dir)  # fmt: skip
        self.wait_ready(self.start_timeout, lambda: proc.poll() is None)
