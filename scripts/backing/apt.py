"""Debian packages for the apt-based servers: one apt-get run per `up`, shared by every server."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from scripts.backing.process import Failure, say, tail

POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
APT_OPTIONS = ["-o", "DPkg::Lock::Timeout=300", "-o", "Acquire::Retries=3"]


@contextmanager
def services_not_started() -> Iterator[None]:
    """Debian's package scripts must not start the system-wide servers (their ports would clash
    with ours): without a policy-rc.d, put a temporary one in place that denies starting."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text(
        "#!/bin/sh\n# added by chirp scripts/services during apt-get\nexit 101\n"
    )
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)


class AptInstaller:
    """Installs packages once per run; a failed install is remembered and fails later callers.

    Rule: `start_background` takes the lock before its thread starts, so a server that calls
    `ensure` meanwhile waits for that install instead of starting a second apt-get."""

    def __init__(self, services_dir: Path, is_root: bool) -> None:
        self.lock = threading.Lock()
        self.done: set[str] = set()
        self.error: str | None = None
        self.log = services_dir / "apt.log"
        self.is_root = is_root

    def ensure(self, packages: list[str]) -> None:
        with self.lock:
            if self.error:
                raise Failure(self.error)
            missing = [p for p in packages if p not in self.done]
            if missing:
                self._install(missing)

    def start_background(self, packages: list[str]) -> threading.Thread:
        """Install `packages` in a thread; ensure() callers wait for it (they share the lock)."""
        self.lock.acquire()

        def body() -> None:
            try:
                self._install(packages)
            except Failure as exc:
                say(f"apt: FAILED: {exc}")
            finally:
                self.lock.release()

        thread = threading.Thread(target=body, name="apt")
        thread.start()
        return thread

    def _install(self, packages: list[str]) -> None:
        names = " ".join(packages)
        if not self.is_root:
            raise Failure(
                f"apt packages missing ({names}); run as root or install them: "
                f"apt-get install {names}"
            )
        say(f"apt: installing {names}")
        started = time.monotonic()
        with services_not_started():
            returncode = self._apt_get(packages)
        if returncode != 0:
            self.error = f"apt-get install {names} failed; log: {self.log}\n{tail(self.log)}"
            raise Failure(self.error)
        self.done.update(packages)
        say(f"apt: installed in {time.monotonic() - started:.1f}s")

    def _apt_get(self, packages: list[str]) -> int:
        """`apt-get update` then one `apt-get install`, both logged; the install's exit code."""
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "ab") as log:

            def apt_get(args: list[str], timeout: float) -> int:
                return subprocess.run(
                    ["apt-get", *APT_OPTIONS, *args], stdin=subprocess.DEVNULL, stdout=log,
                    stderr=subprocess.STDOUT, env=env, timeout=timeout, check=False,
                ).returncode  # fmt: skip

            apt_get(["update"], timeout=600)
            return apt_get(
                ["install", "-y", "--no-install-recommends",
                 "-o", "Dpkg::Options::=--force-confdef",
                 "-o", "Dpkg::Options::=--force-confold", *packages],
                timeout=1200,
            )  # fmt: skip
