"""Contract of CheckpointStore: where a resumable walk left off, by name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.memory.checkpoints import InMemoryCheckpointStore
from core.domain.errors import Invalid
from core.ports.checkpoint_store import CheckpointStore
from tests.contract.conftest import UOW_BACKENDS


@pytest.fixture(params=UOW_BACKENDS)
def checkpoints(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[CheckpointStore]:
    if request.param == "memory":
        yield InMemoryCheckpointStore()
        return
    from adapters.mysql.checkpoints import SqlCheckpointStore
    from tests.contract import migration_backends

    if request.param == "sqlite":
        engine = migration_backends.sqlite_engine(tmp_path)
    else:
        engine = migration_backends.mysql_engine()
    yield SqlCheckpointStore(engine)
    engine.dispose()


def test_a_name_never_put_has_no_position(checkpoints: CheckpointStore) -> None:
    assert checkpoints.get("backfill follows") is None


def test_a_put_position_reads_back_and_a_later_put_replaces_it(
    checkpoints: CheckpointStore,
) -> None:
    checkpoints.put("backfill feeds", (7, 2**62))
    assert checkpoints.get("backfill feeds") == (7, 2**62)
    checkpoints.put("backfill feeds", (8, 1))
    assert checkpoints.get("backfill feeds") == (8, 1)


def test_names_keep_their_own_positions(checkpoints: CheckpointStore) -> None:
    checkpoints.put("backfill follows", (41,))
    checkpoints.put("backfill feeds", (1, 2))
    assert checkpoints.get("backfill follows") == (41,)
    assert checkpoints.get("backfill feeds") == (1, 2)


def test_clearing_forgets_one_name_and_clearing_again_is_harmless(
    checkpoints: CheckpointStore,
) -> None:
    checkpoints.put("a", (1,))
    checkpoints.put("b", (2,))
    checkpoints.clear("a")
    checkpoints.clear("a")
    checkpoints.clear("never put")
    assert (checkpoints.get("a"), checkpoints.get("b")) == (None, (2,))


def test_a_name_of_more_than_100_characters_is_invalid(checkpoints: CheckpointStore) -> None:
    checkpoints.put("n" * 100, (1,))
    with pytest.raises(Invalid):
        checkpoints.put("n" * 101, (1,))
