"""Operator commands for the schema and demo data."""

from __future__ import annotations

import random

import click

from core.domain.users import User
from entrypoints.cli.common import container_of, domain_errors

SEED_SETTLE_SECONDS = 600.0


@click.group()
def db() -> None:
    """The relational schema."""


@db.command()
@click.pass_context
def upgrade(ctx: click.Context) -> None:
    """Apply the schema migrations (Alembic, on MySQL and on the embedded SQLite file)."""
    with domain_errors():
        click.echo(container_of(ctx).migrate())


@click.command()
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
    """Fill the store with demo users, follows and tweets (password: password1), and wait
    until every tweet reached its followers' feeds (this command runs jobs while it waits)."""
    container = container_of(ctx)
    rng = random.Random(42)
    with domain_errors():
        made = _seed_users(ctx, rng, user_count)
        _seed_follows(ctx, rng, made, follows)
        _seed_tweets(ctx, made, tweet_count)
        container.worker_roles()
        click.echo("waiting for the fan-out to finish ...")
        if not container.dispatcher().settle(SEED_SETTLE_SECONDS):
            raise click.ClickException("the fan-out did not finish; `chirp jobs dead` may say why")
    click.echo(f"seeded {len(made)} users, {len(made) * tweet_count} tweets")


def _seed_users(ctx: click.Context, rng: random.Random, count: int) -> list[User]:
    accounts = container_of(ctx).accounts()
    made = []
    with click.progressbar(range(count), label="users") as bar:
        for i in bar:
            name = f"demo_{rng.randrange(10**9):09d}_{i}"[:20]
            made.append(accounts.sign_up(name, f"{name}@example.com", "password1").user)
    return made


def _seed_follows(ctx: click.Context, rng: random.Random, made: list[User], follows: int) -> None:
    following = container_of(ctx).following()
    with click.progressbar(made, label="follows") as bar:
        for user in bar:
            others = [u for u in made if u.id != user.id]
            for other in rng.sample(others, min(follows, len(others))):
                following.follow(user.id, other.id)


def _seed_tweets(ctx: click.Context, made: list[User], count: int) -> None:
    posting = container_of(ctx).posting()
    with click.progressbar(made, label="tweets") as bar:
        for user in bar:
            for n in range(count):
                posting.post_tweet(user.id, f"demo tweet {n} from {user.username}")


COMMANDS = (db, seed)
