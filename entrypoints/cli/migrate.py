"""Operator commands that move follows and feeds from SQL to the second store (HBase)."""

from __future__ import annotations

import time

import click

from core.services.migration import MigrationService, Movable
from entrypoints.cli.common import container_of, domain_errors

KINDS = click.Choice([kind.value for kind in Movable])


@click.group()
def migrate() -> None:
    """Move follows or feeds from SQL to HBase, gated and reversible.

    \b
    1. chirp gates set hbase_follows --percent 0 --allow <staff id>   (writes now mirrored)
    2. chirp migrate follows --to hbase                               (resumable backfill)
    3. chirp migrate verify follows                                   (exit 1 on a mismatch)
    4. chirp gates set hbase_follows --percent 5, 50, 100             (reads move over)
    Roll back with `chirp gates set hbase_follows --percent 0`: SQL is always written.
    """


def _service(ctx: click.Context, **options: int) -> MigrationService:
    service: MigrationService = container_of(ctx).migration(**options)
    return service


def _backfill(ctx: click.Context, kind: Movable, chunk: int, restart: bool) -> None:
    service = _service(ctx, chunk=chunk)
    started, copied = time.monotonic(), 0

    def rate(_: object) -> str:
        elapsed = time.monotonic() - started
        return f"{copied / elapsed:,.0f} rows/s" if elapsed > 0 else ""

    with domain_errors():
        chunks = service.backfill(kind)
        if restart:
            service.restart(kind)
        with click.progressbar(
            length=service.remaining(kind),
            label=f"{kind.value} rows",
            show_eta=True,
            show_pos=True,
            item_show_func=rate,
        ) as bar:
            for rows in chunks:
                copied += rows
                bar.update(rows, copied)
    click.echo(f"copied {copied} {kind.value} rows to the second store; the backfill is complete")


@migrate.command("follows")
@click.option("--to", "target", type=click.Choice(["hbase"]), required=True)
@click.option("--chunk", default=1000, show_default=True, type=click.IntRange(1, 10000))
@click.option("--restart", is_flag=True, help="start from the first row, not the checkpoint")
@click.pass_context
def follows(ctx: click.Context, target: str, chunk: int, restart: bool) -> None:
    """Copy every follow edge to the second store, continuing from the last checkpoint."""
    _backfill(ctx, Movable.FOLLOWS, chunk, restart)


@migrate.command("feeds")
@click.option("--to", "target", type=click.Choice(["hbase"]), required=True)
@click.option("--chunk", default=1000, show_default=True, type=click.IntRange(1, 10000))
@click.option("--restart", is_flag=True, help="start from the first row, not the checkpoint")
@click.pass_context
def feeds(ctx: click.Context, target: str, chunk: int, restart: bool) -> None:
    """Copy every newsfeed entry to the second store, continuing from the last checkpoint."""
    _backfill(ctx, Movable.FEEDS, chunk, restart)


@migrate.command("verify")
@click.argument("kind", type=KINDS)
@click.option(
    "--every",
    default=1,
    show_default=True,
    type=click.IntRange(1),
    help="compare whole lists of every N-th user only (counts of follows: every user)",
)
@click.pass_context
def verify(ctx: click.Context, kind: str, every: int) -> None:
    """Compare SQL and the second store user by user; print mismatches, exit 1 if any."""
    checked = mismatched = 0
    with domain_errors():
        for check in _service(ctx).verify(Movable(kind), every=every):
            checked += 1
            for mismatch in check.mismatches:
                mismatched += 1
                click.echo(f"user {mismatch.user_id}: {mismatch.what}: {mismatch.detail}")
    click.echo(f"{checked} users checked, {mismatched} mismatches")
    if mismatched:
        ctx.exit(1)


COMMANDS = (migrate,)
