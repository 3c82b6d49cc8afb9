"""Operator commands for stored photos and avatars."""

from __future__ import annotations

import click

from entrypoints.cli.common import container_of, domain_errors


@click.group()
def media() -> None:
    """Photos and avatars in the blob store."""


@media.command()
@click.option("--delete", is_flag=True, help="delete the orphans (default: only list them)")
@click.pass_context
def sweep(ctx: click.Context, delete: bool) -> None:
    """Find photos and avatars that no tweet or profile names and that are older than an
    hour (left by failed posts); list them, or delete them with --delete."""
    sweeper = container_of(ctx).media_sweeper()
    examined = 0
    orphans: list[str] = []
    with (
        domain_errors(),
        click.progressbar(
            sweeper.sweep(delete=delete), label="pages of blobs", show_pos=True
        ) as pages,
    ):
        for page in pages:
            examined += page.examined
            orphans.extend(page.orphans)
    for key in orphans:
        click.echo(key)
    outcome = "deleted" if delete else "found (dry run; --delete removes them)"
    click.echo(f"{examined} blobs examined, {len(orphans)} orphans {outcome}")


COMMANDS = (media,)
