"""The memory harness with a second follow and feed store wired in, as HBase is on `full`."""

from __future__ import annotations

from collections.abc import Sequence

from dependency_injector import providers

from adapters.memory import InMemoryDatabase, InMemoryFeedStore, InMemoryFollowStore
from adapters.memory.checkpoints import InMemoryCheckpointStore
from adapters.memory.migration_source import InMemoryMigrationSource
from container import Container, build_container
from core.domain.users import User
from core.services.migration import MigrationService
from core.services.mirror import StoreMirror
from core.services.stores import FEEDS_GATE, FOLLOWS_GATE, SecondaryStores, StoreRouter
from settings import Settings
from tests.unit.harness import Harness


class Gated(Harness):
    """Services built with a StoreRouter and a StoreMirror over a second follow and feed
    store. Each second store is a memory store over a database of its own, outside any unit
    of work, so it writes at once like HBase; `second_db.available = False` takes it down
    and `second_follows.before("add", ...)` forces a race into its writes."""

    def __init__(self, container: Container) -> None:
        super().__init__(container)
        self.sql_db: InMemoryDatabase = container.backends.memory_db()
        self.second_db = InMemoryDatabase()
        self.second_follows = InMemoryFollowStore(self.second_db)
        self.second_feeds = InMemoryFeedStore(self.second_db)
        secondary = SecondaryStores(follows=self.second_follows, feeds=self.second_feeds)
        uow_factory = container.uow_factory()
        self.stores = StoreRouter(uow_factory, secondary, container.gatekeeper())
        self.source = InMemoryMigrationSource(self.sql_db)
        self.mirror = StoreMirror(
            uow_factory, self.source, self.stores, container.ids(), container.list_cache()
        )
        self.checkpoints = InMemoryCheckpointStore()
        container.following.add_kwargs(stores=self.stores, mirror=self.mirror)
        container.fanout.add_kwargs(mirror=self.mirror)
        container.posting.add_kwargs(mirror=self.mirror)
        container.timeline.add_kwargs(stores=self.stores)
        # What the lead adds to container.py, here by hand for the CLI tests.
        container.migration = providers.Factory(
            MigrationService,
            uow_factory=container.uow_factory,
            source=providers.Object(self.source),
            checkpoints=providers.Object(self.checkpoints),
            mirror=providers.Object(self.mirror),
            stores=providers.Object(self.stores),
            chunk=3,
        )

    def open_gates(self, percent: int, allow: Sequence[int] = ()) -> None:
        for gate in (FOLLOWS_GATE, FEEDS_GATE):
            self.c.gatekeeper().set_gate(gate, percent, allow=allow)

    def inside(self, gate: str, user: User) -> bool:
        """Whether `user` reads the second store of `gate` (each gate buckets users apart)."""
        return self.c.gatekeeper().is_open(gate, user.id)

    def migration(self, chunk: int = 3) -> MigrationService:
        service: MigrationService = self.c.migration(chunk=chunk)
        return service

    def settle(self) -> None:
        """What the worker does: relay the outbox and run every job, until none is left."""
        while self.c.dispatcher().relay() or self.queue.jobs:
            self.drain()

    def assert_second_matches_sql(self) -> None:
        assert self.second_db.follows == self.sql_db.follows
        assert self.second_db.feeds == self.sql_db.feeds


def gated() -> Gated:
    """A fresh gated harness on the memory profile."""
    return Gated(build_container(Settings(profile="memory")))
