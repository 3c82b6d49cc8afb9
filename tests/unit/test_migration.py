"""The backfill of follows and feeds into the second store, its checkpoint, and verify."""

from __future__ import annotations

from itertools import islice

import pytest
from click.testing import CliRunner

from adapters.memory.checkpoints import InMemoryCheckpointStore
from adapters.memory.migration_source import InMemoryMigrationSource
from core.domain.errors import Conflict, Invalid, Unavailable
from core.domain.paging import Window
from core.services.migration import MigrationService, Movable, UserCheck
from core.services.mirror import StoreMirror
from core.services.stores import FEEDS_GATE, FOLLOWS_GATE, StoreRouter
from entrypoints.cli.main import cli
from tests.unit.gated import Gated, gated
from tests.unit.harness import Harness

KINDS = [Movable.FOLLOWS, Movable.FEEDS]


@pytest.fixture
def g() -> Gated:
    """A harness holding a small graph written while the gates were closed (so only SQL
    has it), then the gates opened for one staff account: writes are mirrored from now."""
    g = gated()
    users = [g.user() for _ in range(6)]
    for i, user in enumerate(users):
        g.follow(user, users[(i + 1) % 6])
        g.follow(user, users[(i + 2) % 6])
        g.post(user, f"hello from {user.username}")
    g.settle()
    g.open_gates(0, allow=[users[0].id])
    return g


def rows_of(g: Gated, kind: Movable) -> int:
    return len(g.sql_db.follows if kind is Movable.FOLLOWS else g.sql_db.feeds)


def mismatches(service: MigrationService, kind: Movable) -> list[str]:
    checks: list[UserCheck] = list(service.verify(kind))
    return [f"{m.user_id} {m.what}" for c in checks for m in c.mismatches]


@pytest.mark.parametrize("kind", KINDS)
def test_a_backfill_stopped_part_way_continues_from_its_checkpoint(g: Gated, kind: Movable) -> None:
    total = rows_of(g, kind)
    assert mismatches(g.migration(), kind)  # the second store starts empty
    assert list(islice(g.migration(chunk=3).backfill(kind), 2)) == [3, 3]  # then killed
    assert g.migration().remaining(kind) == total - 6
    assert sum(g.migration(chunk=3).backfill(kind)) == total - 6
    assert mismatches(g.migration(), kind) == []
    table = "follows" if kind is Movable.FOLLOWS else "feeds"
    assert getattr(g.second_db, table) == getattr(g.sql_db, table)


@pytest.mark.parametrize(("kind", "write"), [(Movable.FOLLOWS, "add"), (Movable.FEEDS, "add_many")])
def test_a_backfill_cut_short_by_an_outage_is_finished_by_the_next_run(
    g: Gated, kind: Movable, write: str
) -> None:
    store = g.second_follows if kind is Movable.FOLLOWS else g.second_feeds
    # One chunk lands, then the second store goes down in the middle of the next one.
    g.migration(chunk=3).backfill(kind).__next__()
    store.before(write, lambda: setattr(g.second_db, "available", False))
    with pytest.raises(Unavailable):
        list(g.migration(chunk=3).backfill(kind))
    assert g.migration().remaining(kind) == rows_of(g, kind) - 3
    g.second_db.available = True
    list(g.migration(chunk=3).backfill(kind))
    assert mismatches(g.migration(), kind) == []


def test_restarting_a_backfill_walks_from_the_first_row_again(g: Gated) -> None:
    list(g.migration().backfill(Movable.FOLLOWS))
    assert g.migration().remaining(Movable.FOLLOWS) == 0
    g.migration().restart(Movable.FOLLOWS)
    assert sum(g.migration().backfill(Movable.FOLLOWS)) == rows_of(g, Movable.FOLLOWS)


def test_verify_reports_each_planted_mismatch_by_user(g: Gated) -> None:
    for kind in KINDS:
        list(g.migration().backfill(kind))
    fan, star = next(iter(g.sql_db.follows))
    g.second_follows.remove(fan, star)
    (reader, _), item = next(iter(g.sql_db.feeds.items()))
    g.second_feeds.remove_tweet(item.tweet_id, [reader])
    assert sorted(mismatches(g.migration(), Movable.FOLLOWS)) == sorted(
        [f"{star} followers count", f"{star} followers", f"{fan} followings"]
    )
    assert mismatches(g.migration(), Movable.FEEDS) == [f"{reader} feed"]


def test_verify_of_every_nth_user_still_counts_everyones_followers(g: Gated) -> None:
    list(g.migration().backfill(Movable.FOLLOWS))
    star = sorted(g.sql_db.users)[1]  # not among the sampled (every 3rd from the first)
    g.second_follows.remove(*next(k for k in g.sql_db.follows if k[1] == star))
    found = [m.what for c in g.migration().verify(Movable.FOLLOWS, every=3) for m in c.mismatches]
    assert found.count("followers count") == 1 and "followers" not in found


@pytest.mark.parametrize("kind", KINDS)
def test_a_backfill_refuses_to_start_while_writes_are_not_mirrored(g: Gated, kind: Movable) -> None:
    for gate in (FOLLOWS_GATE, FEEDS_GATE):
        g.c.gatekeeper().set_gate(gate, 0, allow=[])
    with pytest.raises(Conflict, match="gate"):
        g.migration().backfill(kind)


def test_a_profile_without_a_second_store_has_nothing_to_migrate_to(h: Harness) -> None:
    uow_factory = h.c.uow_factory()
    stores = StoreRouter(uow_factory)  # as on the memory and embedded profiles
    source = InMemoryMigrationSource(h.c.backends.memory_db())
    mirror = StoreMirror(uow_factory, source, stores, h.c.ids(), h.c.list_cache())
    service = MigrationService(uow_factory, source, InMemoryCheckpointStore(), mirror, stores)
    with pytest.raises(Invalid, match="no second follow store"):
        service.backfill(Movable.FOLLOWS)
    with pytest.raises(Invalid, match="no second feed store"):
        list(service.verify(Movable.FEEDS))


# Races: `before(operation, ...)` on a second store runs a step just before the backfill's
# write of a chunk it has already read from SQL.


def test_an_unfollow_after_the_backfill_read_its_chunk_does_not_come_back(g: Gated) -> None:
    fan, star = next(iter(g.sql_db.follows))
    g.second_follows.before("add", lambda: g.c.following().unfollow(fan, star))
    list(g.migration(chunk=100).backfill(Movable.FOLLOWS))
    assert g.second_follows.get(fan, star) is None
    assert mismatches(g.migration(), Movable.FOLLOWS) == []


def test_a_tweet_deleted_after_the_backfill_read_its_chunk_leaves_every_feed(g: Gated) -> None:
    (reader, tweet_id), item = next(iter(g.sql_db.feeds.items()))

    def delete_it() -> None:
        g.c.posting().delete_tweet(item.author_id, tweet_id)
        g.settle()  # the retraction and its mirror jobs

    g.second_feeds.before("add_many", delete_it)
    list(g.migration(chunk=100).backfill(Movable.FEEDS))
    assert tweet_id not in g.second_feeds.tweet_ids(reader, Window(limit=100))
    assert mismatches(g.migration(), Movable.FEEDS) == []


# The CLI drives the same service (the container's `migration` provider).


def test_the_cli_backfills_with_a_progress_bar_and_verify_exits_1_on_a_mismatch(
    g: Gated,
) -> None:
    runner = CliRunner()
    done = runner.invoke(cli, ["migrate", "follows", "--to", "hbase"], obj=g.c)
    assert done.exit_code == 0, done.output
    assert f"copied {rows_of(g, Movable.FOLLOWS)} follows rows" in done.output
    again = runner.invoke(cli, ["migrate", "follows", "--to", "hbase"], obj=g.c)
    assert "copied 0 follows rows" in again.output  # continues from the checkpoint
    clean = runner.invoke(cli, ["migrate", "verify", "follows"], obj=g.c)
    assert clean.exit_code == 0 and "6 users checked, 0 mismatches" in clean.output
    fan, star = next(iter(g.sql_db.follows))
    g.second_follows.remove(fan, star)
    dirty = runner.invoke(cli, ["migrate", "verify", "follows"], obj=g.c)
    assert dirty.exit_code == 1
    assert f"user {star}: followers count: sql 2, second store 1" in dirty.output


def test_the_cli_refuses_a_backfill_nobody_mirrors_for_with_a_one_line_reason(g: Gated) -> None:
    g.c.gatekeeper().set_gate(FEEDS_GATE, 0, allow=[])
    refused = CliRunner().invoke(cli, ["migrate", "feeds", "--to", "hbase"], obj=g.c)
    assert refused.exit_code == 1 and "open the hbase_feeds gate" in refused.output
