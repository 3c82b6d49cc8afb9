"""Operator commands for accounts and feature gates."""

from __future__ import annotations

import click

from core.domain.paging import Window
from entrypoints.cli.common import container_of, domain_errors


@click.group()
def users() -> None:
    """Manage accounts."""


@users.command("create-admin")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.pass_context
def create_admin(ctx: click.Context, username: str, email: str, password: str) -> None:
    """Create an administrator account."""
    with domain_errors():
        user = container_of(ctx).accounts().create_admin(username, email, password)
    click.echo(f"created admin {user.username} (id {user.id})")


@users.command("list")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100))
@click.pass_context
def list_users(ctx: click.Context, limit: int) -> None:
    """List accounts, newest first."""
    page = container_of(ctx).accounts().all_users(Window.newest(limit=limit))
    for user in page.results:
        flags = ("admin " if user.is_admin else "") + ("" if user.is_active else "inactive")
        click.echo(f"{user.id}\t{user.username}\t{user.email}\t{flags.strip()}")


@users.command()
@click.argument("name")
@click.pass_context
def deactivate(ctx: click.Context, name: str) -> None:
    """Deactivate an account: its tokens die and it can no longer log in."""
    with domain_errors():
        user = container_of(ctx).accounts().deactivate(name)
    click.echo(f"deactivated {user.username}")


@click.group()
def gates() -> None:
    """Feature gates: percentage release, allow and deny lists, roll-back."""


@gates.command("list")
@click.pass_context
def list_gates(ctx: click.Context) -> None:
    """Show every gate."""
    for gate in container_of(ctx).gatekeeper().gates():
        click.echo(
            f"{gate.name}\t{gate.percent}%\tallow={sorted(gate.allow)}\tdeny={sorted(gate.deny)}"
        )


@gates.command("set")
@click.argument("name")
@click.option("--percent", required=True, type=click.IntRange(0, 100))
@click.option("--allow", default=None, help="comma-separated user ids always let in")
@click.option("--deny", default=None, help="comma-separated user ids always kept out")
@click.pass_context
def set_gate(
    ctx: click.Context, name: str, percent: int, allow: str | None, deny: str | None
) -> None:
    """Create or change a gate (percent 0 rolls back at once)."""
    with domain_errors():
        gate = container_of(ctx).gatekeeper().set_gate(name, percent, _ids(allow), _ids(deny))
    click.echo(f"{gate.name}: {gate.percent}% allow={sorted(gate.allow)} deny={sorted(gate.deny)}")


def _ids(raw: str | None) -> list[int] | None:
    if raw is None:
        return None
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter("user ids must be whole numbers separated by commas") from exc


COMMANDS = (users, gates)
