"""The `chirp` console script: gevent's monkey patch first for the green servers, then the CLI."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

# Commands that serve on gevent workers (live streams hold a greenlet each, not a thread).
GREEN_COMMANDS = frozenset({"stream"})


def is_green(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Whether this command line runs a gevent server: `chirp stream`, and `chirp serve` on
    the embedded profile (which holds streams itself)."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command in GREEN_COMMANDS:
        return True
    return command == "serve" and environ.get("CHIRP_PROFILE", "embedded") == "embedded"


def main() -> None:
    """Patch before anything else is imported: a lock, socket or thread made by a module
    imported earlier would stay a real one and could block every greenlet of the process."""
    if is_green(sys.argv[1:], os.environ):
        from gevent import monkey

        monkey.patch_all()
    from entrypoints.cli.main import cli

    cli()
