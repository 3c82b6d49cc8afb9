"""The `chirp` command: serve, and the operator's tools for users, gates, data and schema."""

from __future__ import annotations

import random

import click

from container import Container, build_container
from core.domain.errors import DomainError
from core.domain.paging import Window
from settings import Settings


def _container(ctx: click.Context) -> Container:
    if ctx.obj is None:
        try:
            ctx.obj = build_container(Settings.from_env())
        except ValueError as exc:  # a bad CHIRP_* value: say which, not a traceback
            raise click.ClickException(str(exc)) from exc
    return ctx.obj  # type: ignore[no-any-return]


@click.group()
def cli() -> None:
    """chirp: a Twitter-like backend (settings come from CHIRP_* variables)."""


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.pass_context
def serve(ctx: click.Context, host: str, port: int, threads: int) -> None:
    """Serve the REST API with waitress (one process, many threads)."""
    import waitress

    from entrypoints.http.app import create_app

    container = _container(ctx)
    app = create_app(container)
    settings = container.settings()
    click.echo(f"chirp on http://{host}:{port}/ (profile {settings.profile})")
    waitress.serve(app, host=host, port=port, threads=threads, ident="chirp")


@cli.group()
def db() -> None:
    """The relational schema."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Apply the schema migrations (Alembic on MySQL; table creation on SQLite)."""
    with _domain_errors():
        click.echo(_container(ctx).migrate())


@cli.group()
def users() -> None:
    """Manage accounts."""


@users.command("create-admin")
@click.option("--username", required=True)
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.pass_context
def create_admin(ctx: click.Context, username: str, email: str, password: str) -> None:
    """Create an administrator account."""
    with _domain_errors():
        user = _container(ctx).accounts().create_admin(username, email, password)
    click.echo(f"created admin {user.username} (id {user.id})")


@users.command("list")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(1, 100))
@click.pass_context
def list_users(ctx: click.Context, limit: int) -> None:
    """List accounts, newest first."""
    page = _container(ctx).accounts().all_users(Window.newest(limit=limit))
    for user in page.results:
        flags = ("admin " if user.is_admin else "") + ("" if user.is_active else "inactive")
        click.echo(f"{user.id}\t{user.username}\t{user.email}\t{flags.strip()}")


@users.command()
@click.argument("name")
@click.pass_context
def deactivate(ctx: click.Context, name: str) -> None:
    """Deactivate an account: its tokens die and it can no longer log in."""
    with _domain_errors():
        user = _container(ctx).accounts().deactivate(name)
    click.echo(f"deactivated {user.username}")


@cli.group()
def gates() -> None:
    """Feature gates: percentage release, allow and deny lists, roll-back."""


@gates.command("list")
@click.pass_context
def list_gates(ctx: click.Context) -> None:
    """Show every gate."""
    for gate in _container(ctx).gatekeeper().gates():
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
    with _domain_errors():
        gate = _container(ctx).gatekeeper().set_gate(name, percent, _ids(allow), _ids(deny))
    click.echo(f"{gate.name}: {gate.percent}% allow={sorted(gate.allow)} deny={sorted(gate.deny)}")


def _ids(raw: str | None) -> list[int] | None:
    if raw is None:
        return None
    try:
        return [int(part) for part in raw.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter("user ids must be whole numbers separated by commas") from exc


@cli.command()
@click.option("--users", "user_count", default=20, show_default=True, type=click.IntRange(1))
@click.option(
    "--tweets",
    "tweet_count",
    default=10,
    show_default=True,
    type=click.IntRange(0),
    help="tweets per user",
)
@click.option(
    "--follows",
    default=5,
    show_default=True,
    type=click.IntRange(0),
    help="how many others each user follows",
)
@click.pass_context
def seed(ctx: click.Context, user_count: int, tweet_count: int, follows: int) -> None:
    """Fill the store with demo users, follows and tweets (password: password1)."""
    container = _container(ctx)
    rng = random.Random(42)
    made = []
    with click.progressbar(range(user_count), label="users") as bar:
        for i in bar:
            name = f"demo_{rng.randrange(10**9):09d}_{i}"[:20]
            made.append(container.accounts().sign_up(name, f"{name}@example.com", "password1").user)
    with click.progressbar(made, label="follows") as bar:
        for user in bar:
            others = [u for u in made if u.id != user.id]
            for other in rng.sample(others, min(follows, len(others))):
                container.following().follow(user.id, other.id)
    with click.progressbar(made, label="tweets") as bar:
        for user in bar:
            for n in range(tweet_count):
                container.posting().post_tweet(user.id, f"demo tweet {n} from {user.username}")
    click.echo(f"seeded {len(made)} users, {len(made) * tweet_count} tweets")


class _domain_errors:  # noqa: N801  (used as a `with` block)
    """Turns a domain error into a one-line CLI error and exit status 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> bool:
        if isinstance(exc, DomainError):
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
            raise click.ClickException(exc.message + (f" ({details})" if details else ""))
        return False
