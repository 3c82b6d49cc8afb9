"""The `chirp` command: the process types (serve, worker) and the operator's tools."""

from __future__ import annotations

import click

from entrypoints.cli import admin, data, media, migrate, processes


@click.group()
def cli() -> None:
    """chirp: a Twitter-like backend (settings come from CHIRP_* variables)."""


for module in (processes, admin, data, media, migrate):
    for command in module.COMMANDS:
        cli.add_command(command)
