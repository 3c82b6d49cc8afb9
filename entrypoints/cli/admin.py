"""Operator commands for accounts and feature gates."""

from __future__ import annotations

import sys

import click

from core.domain.paging import Window
from entrypoints.cli.common import container_of, domain_errors


@click.group()
def users() -> None:
    """Manage accounts."""


@users.command("create-admin")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="read the password from the first line of standard input instead of a prompt",
)
@click.pass_context
def create_admin(ctx: click.Context, username: str, email: str, password_stdin: bool) -> None:
    """Create an administrator account. The password is asked for (hidden, twice), or read
    from stdin: never an option, which `ps` and the shell history would show."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
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


@click.group()
def tokens() -> None:
    """Session tokens."""


@tokens.command("purge")
@click.pass_context
def purge_tokens(ctx: click.Context) -> None:
    """Delete expired session tokens (the worker also does this hourly)."""
    with domain_errors():
        purged = container_of(ctx).accounts().purge_expired_tokens()
    click.echo(f"purged {purged} expired tokens")


COMMANDS = (users, gates, tokens)
