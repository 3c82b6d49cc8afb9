"""The composition root: the services on the adapters `backends.Backends` picks per profile."""

from __future__ import annotations

import functools
from datetime import timedelta

from dependency_injector import containers, providers

from adapters.system.background import consuming, every, handing_off, requests_first
from backends import Backends
from core.services.accounts import AccountService
from core.services.comments import CommentService
from core.services.dispatch import JobDispatcher
from core.services.fanout import FanoutService
from core.services.following import FollowingService
from core.services.gatekeeper import GateKeeper
from core.services.health import readiness_report
from core.services.likes import LikeService
from core.services.lookups import Lookups
from core.services.media import MediaService, MediaSweeper
from core.services.migration import MigrationService
from core.services.mirror import StoreMirror
from core.services.notifications import NotificationService, Notifier
from core.services.posting import PostingService
from core.services.profiles import ProfileService
from core.services.ratelimit import RateLimiter
from core.services.stores import SecondaryStores, StoreRouter
from core.services.stream import LiveFeed
from core.services.timeline import TimelineService
from settings import Settings, secret_key_for


def _days(days: int) -> timedelta:
    return timedelta(days=days)


class Container(containers.DeclarativeContainer):
    """The wiring diagram: ports from `Backends`, then every service wired by keyword, then
    the background roles and the operations. `shutdown_resources()` closes every client,
    engine, consumer and loop that was started.

    The request-path services are Singletons: they keep nothing between calls (the
    timeline's short celebrity memo aside, which needs one instance to work), and building
    them per request cost 4-14 µs each. An override of a dependency therefore reaches only
    services built after it (tests override before first use)."""

    settings = providers.Dependency(instance_of=Settings)
    cfg = settings.provided
    backends = providers.Container(Backends, settings=settings)

    # Ports (and the clients tests and operators reach for)
    uow_factory = backends.uow_factory
    clock = backends.clock
    ids = backends.ids
    hasher = backends.hasher
    metrics = backends.metrics
    object_cache = backends.object_cache
    list_cache = backends.list_cache
    counters = backends.counters
    rate_limit_store = backends.rate_limit_store
    gate_store = backends.gate_store
    task_queue = backends.task_queue
    blobs = backends.blobs
    local_blobs = backends.local_blobs
    engine = backends.engine
    redis = backends.redis
    memcached = backends.memcached
    events = backends.events

    # Services
    gatekeeper = providers.Factory(GateKeeper, store=gate_store)
    secondary = providers.Singleton(SecondaryStores, follows=backends.second_follows,
                                    feeds=backends.second_feeds)  # fmt: skip
    stores = providers.Singleton(StoreRouter, uow_factory=uow_factory, secondary=secondary,
                                 gates=gatekeeper)  # fmt: skip
    mirror = providers.Singleton(
        StoreMirror, uow_factory=uow_factory, source=backends.migration_source, stores=stores,
        ids=ids, lists=list_cache,
    )  # fmt: skip
    migration = providers.Factory(
        MigrationService, uow_factory=uow_factory, source=backends.migration_source,
        checkpoints=backends.checkpoints, mirror=mirror, stores=stores,
    )  # fmt: skip
    lookups = providers.Singleton(Lookups, uow_factory=uow_factory, cache=object_cache, blobs=blobs,
                                  metrics=metrics)  # fmt: skip
    media = providers.Singleton(MediaService, blobs=blobs)
    media_sweeper = providers.Factory(MediaSweeper, uow_factory=uow_factory, blobs=blobs,
                                      clock=clock)  # fmt: skip
    notifier = providers.Singleton(Notifier, ids=ids, counters=counters, publisher=events)
    dispatcher = providers.Singleton(JobDispatcher, uow_factory=uow_factory, queue=task_queue,
                                     clock=clock)  # fmt: skip
    # Each commit's jobs are published off the request, by one thread per process (memory:
    # at once, as its tests expect); the outbox keeps them until then (see HandOff).
    hand_off = providers.Resource(handing_off, "publish", dispatcher.provided.publish)
    publish = providers.Selector(cfg.profile, memory=dispatcher.provided.publish,
                                 embedded=hand_off, full=hand_off)  # fmt: skip
    # Embedded runs jobs beside requests: fan-out writes in short chunks, requests first
    # between them (the SQLite write turn).
    no_value: providers.Object[None] = providers.Object(None)
    fanout_chunk = providers.Selector(cfg.profile, memory=no_value, full=no_value,
                                      embedded=providers.Object(100))  # fmt: skip
    fanout_pause = providers.Selector(cfg.profile, memory=no_value, full=no_value,
                                      embedded=providers.Object(requests_first))  # fmt: skip
    accounts = providers.Singleton(
        AccountService, uow_factory=uow_factory, hasher=hasher, clock=clock, ids=ids,
        lookups=lookups, token_ttl=providers.Callable(_days, cfg.token_ttl_days),
    )  # fmt: skip
    profiles = providers.Singleton(
        ProfileService, uow_factory=uow_factory, clock=clock, ids=ids, lookups=lookups,
        media=media,
    )  # fmt: skip
    comments = providers.Singleton(
        CommentService, uow_factory=uow_factory, clock=clock, ids=ids, lookups=lookups,
        notifier=notifier,
    )  # fmt: skip
    posting = providers.Singleton(
        PostingService, uow_factory=uow_factory, clock=clock, ids=ids, lookups=lookups,
        media=media, dispatcher=dispatcher, lists=list_cache, comments=comments,
        notifier=notifier, feed_cap=cfg.feed_cap, mirror=mirror, publish=publish,
    )  # fmt: skip
    fanout = providers.Singleton(
        FanoutService, uow_factory=uow_factory, ids=ids, queue=task_queue, lists=list_cache,
        batch_size=cfg.fanout_batch, celebrity_threshold=cfg.celebrity_threshold,
        feed_cap=cfg.feed_cap, mirror=mirror, clock=clock, metrics=metrics, publisher=events,
        chunk=fanout_chunk, pause=fanout_pause,
    )  # fmt: skip
    following = providers.Singleton(
        FollowingService, uow_factory=uow_factory, ids=ids, lookups=lookups, lists=list_cache,
        notifier=notifier, stores=stores, mirror=mirror,
    )  # fmt: skip
    timeline = providers.Singleton(
        TimelineService, uow_factory=uow_factory, lookups=lookups, lists=list_cache,
        cache=object_cache, feed_cap=cfg.feed_cap, stores=stores, clock=clock,
    )  # fmt: skip
    likes = providers.Singleton(LikeService, uow_factory=uow_factory, ids=ids, lookups=lookups,
                              notifier=notifier)  # fmt: skip
    notifications = providers.Singleton(NotificationService, uow_factory=uow_factory,
                                      lookups=lookups, counters=counters)  # fmt: skip
    live_feed = providers.Singleton(
        LiveFeed, subscriber=events, timeline=timeline, notifications=notifications,
        lookups=lookups, heartbeat_ms=cfg.stream_heartbeat_ms,
    )  # fmt: skip
    rate_limiter = providers.Singleton(
        RateLimiter, store=rate_limit_store, clock=clock, enabled=cfg.ratelimit_enabled,
        metrics=metrics, fallback=backends.local_windows,
    )  # fmt: skip
    secret_key = providers.Singleton(secret_key_for, settings)

    # Background roles: the worker's, which the embedded server runs in its own process
    job_consumer = providers.Resource(consuming, queue=task_queue, handler=fanout.provided.run,
                                      threads=cfg.worker_threads)  # fmt: skip
    relay_loop = providers.Resource(every, "relay", dispatcher.provided.relay,
                                    cfg.relay_interval_ms)  # fmt: skip
    token_purge = providers.Resource(every, "token-purge", accounts.provided.purge_expired_tokens,
                                     cfg.token_purge_interval_ms)  # fmt: skip
    worker_roles = providers.Dict(consumer=job_consumer, relay=relay_loop, token_purge=token_purge)
    server_roles = providers.Selector(cfg.profile, memory=providers.Dict(), embedded=worker_roles,
                                      full=providers.Dict())  # fmt: skip

    # Operations
    migrate = backends.migrate
    readiness = providers.Callable(readiness_report, backends.readiness_checks)


def build_container(settings: Settings | None = None) -> Container:
    """A container for `settings` (read from the environment when not given), whose
    `shutdown_resources` is `shutdown_in_order`."""
    container = Container(settings=settings if settings is not None else Settings.from_env())
    container.shutdown_resources = functools.partial(  # type: ignore[method-assign]
        shutdown_in_order, container
    )
    return container


def shutdown_in_order(container: containers.Container) -> None:
    """Close the container's open resources, each one before every resource it uses,
    however indirectly. Why: dependency-injector orders its own shutdown by a resource's
    direct arguments only, and the publishing hand-off reaches the task queue through the
    dispatcher, so the queue could close first while the hand-off's last publish still ran
    on it (dramatiq: "Set changed size during iteration"; pika: a closed channel). A
    cycle, should one appear, closes together."""
    open_ = [p for p in container.traverse(types=[providers.Resource]) if p.initialized]
    uses = {id(r): {id(d) for d in r.traverse(types=[providers.Resource])} for r in open_}
    while open_:
        used = {d for r in open_ for d in uses[id(r)]}
        free = [r for r in open_ if id(r) not in used] or open_
        for resource in free:
            resource.shutdown()
        closed = {id(r) for r in free}
        open_ = [r for r in open_ if id(r) not in closed]
