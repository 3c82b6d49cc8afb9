"""The `chirp` console script: gevent's monkey patch first for the green servers, then the CLI."""

from __future__ import annotations

import sys
from collections.abc import Sequence

# Commands that serve on gevent workers (live streams hold a greenlet each, not a thread).
GREEN_COMMANDS = frozenset({"stream"})


def is_green(argv: Sequence[str]) -> bool:
    """Whether this command line runs a gevent server: `chirp stream`, and `chirp serve`
    unless it asks for thread workers (`--worker-class gthread`, full only)."""
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command in GREEN_COMMANDS:
        return True
    if command != "serve":
        return False
    pairs = zip(argv, [*argv[1:], ""], strict=True)
    threaded = any(
        (arg == "--worker-class" and value == "gthread") or arg == "--worker-class=gthread"
        for arg, value in pairs
    )
    return not threaded


def main() -> None:
    """Patch before anything else is imported: a lock, socket or thread made by a module
    imported earlier would stay a real one and could block every greenlet of the process."""
    if is_green(sys.argv[1:]):
        from gevent import monkey

        monkey.patch_all()
    from entrypoints.cli.main import cli

    cli()
