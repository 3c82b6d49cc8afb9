"""The composition root: one adapter per port for each profile, then the services."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from dependency_injector import containers, providers

from adapters.cache import local as local_cache
from adapters.cache.clients import memcached_resource, ping_memcached, ping_redis, redis_resource
from adapters.cache.memcached_object_cache import MemcachedObjectCache
from adapters.cache.redis_counters import RedisCounters
from adapters.cache.redis_gate_store import RedisGateStore
from adapters.cache.redis_list_cache import RedisListCache
from adapters.cache.redis_rate_limit_store import RedisRateLimitStore
from adapters.memory.blobs import InMemoryBlobStore
from adapters.memory.clock import FakeClock
from adapters.memory.counters import InMemoryCounters
from adapters.memory.database import InMemoryDatabase
from adapters.memory.gates import InMemoryGateStore
from adapters.memory.ids import SequentialIdGenerator
from adapters.memory.list_cache import InMemoryListCache
from adapters.memory.object_cache import InMemoryObjectCache
from adapters.memory.rate_limits import InMemoryRateLimitStore
from adapters.memory.task_queue import InMemoryTaskQueue
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.mysql.engine import engine_resource, migrate_schema
from adapters.mysql.health import ping as ping_database
from adapters.mysql.unit_of_work import SqlUnitOfWork
from adapters.queue.inprocess import InProcessTaskQueue
from adapters.s3.local import LocalFolderBlobStore
from adapters.system.clock import SystemClock
from adapters.system.ids import SnowflakeIdGenerator
from adapters.system.passwords import FastPasswordHasher, ScryptPasswordHasher
from core.services.accounts import AccountService
from core.services.comments import CommentService
from core.services.dispatch import JobDispatcher
from core.services.fanout import FanoutService
from core.services.following import FollowingService
from core.services.gatekeeper import GateKeeper
from core.services.health import readiness_report
from core.services.likes import LikeService
from core.services.lookups import Lookups
from core.services.media import MediaService
from core.services.notifications import NotificationService, Notifier
from core.services.posting import PostingService
from core.services.profiles import ProfileService
from core.services.ratelimit import RateLimiter
from core.services.timeline import TimelineService
from settings import Settings, secret_key_for

NO_SCHEMA = "the memory profile has no schema"


def _days(days: int) -> timedelta:
    return timedelta(days=days)


class Container(containers.DeclarativeContainer):
    """The wiring diagram. Clients and engines are Resources: `shutdown_resources()` closes
    every one that was opened. Each real adapter is defined once and shared by the profiles
    that use it; `Selector(profile, ...)` picks per port."""

    settings = providers.Dependency(instance_of=Settings)
    profile = settings.provided.profile
    feed_cap = settings.provided.feed_cap

    # Clients and engines
    sqlite_engine = providers.Resource(engine_resource, settings.provided.sqlite_url, migrate=True)
    mysql_engine = providers.Resource(engine_resource, settings.provided.mysql_url)
    engine = providers.Selector(profile, embedded=sqlite_engine, full=mysql_engine)
    redis = providers.Resource(redis_resource, settings.provided.redis_url)
    memcached = providers.Resource(
        memcached_resource, settings.provided.memcached_host, settings.provided.memcached_port
    )
    memory_db = providers.Singleton(InMemoryDatabase)

    # System ports
    system_clock = providers.Singleton(SystemClock)
    clock = providers.Selector(
        profile, memory=providers.Singleton(FakeClock), embedded=system_clock, full=system_clock
    )
    snowflakes = providers.Singleton(
        SnowflakeIdGenerator, clock=clock, worker=settings.provided.worker_id
    )
    ids = providers.Selector(
        profile,
        memory=providers.Singleton(SequentialIdGenerator, clock=clock),
        embedded=snowflakes,
        full=snowflakes,
    )
    scrypt = providers.Singleton(ScryptPasswordHasher)
    hasher = providers.Selector(
        profile, memory=providers.Singleton(FastPasswordHasher), embedded=scrypt, full=scrypt
    )

    # Stores
    sql_uow = providers.Singleton(partial, SqlUnitOfWork, engine)
    uow_factory = providers.Selector(
        profile,
        memory=providers.Singleton(partial, InMemoryUnitOfWork, memory_db),
        embedded=sql_uow,
        full=sql_uow,
    )
    local_blobs = providers.Singleton(
        LocalFolderBlobStore,
        root=settings.provided.media_dir,
        base_url=providers.Callable("{}/media/".format, settings.provided.public_url),
    )
    blobs = providers.Selector(
        profile, memory=providers.Singleton(InMemoryBlobStore), embedded=local_blobs,
        full=local_blobs,
    )

    # Caches
    object_cache = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryObjectCache, clock),
        embedded=providers.Singleton(local_cache.LocalLruObjectCache),
        full=providers.Singleton(MemcachedObjectCache, memcached),
    )
    list_cache = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryListCache, clock),
        embedded=providers.Singleton(local_cache.LocalListCache),
        full=providers.Singleton(RedisListCache, redis),
    )
    counters = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryCounters, clock),
        embedded=providers.Singleton(local_cache.LocalCounters),
        full=providers.Singleton(RedisCounters, redis),
    )
    rate_limit_store = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryRateLimitStore, clock),
        embedded=providers.Singleton(local_cache.LocalRateLimitStore),
        full=providers.Singleton(RedisRateLimitStore, redis),
    )
    gate_store = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryGateStore),
        embedded=providers.Singleton(
            local_cache.LocalGateStore, settings.provided.data_dir.joinpath.call("gates.json")
        ),
        full=providers.Singleton(RedisGateStore, redis),
    )

    # Jobs
    in_process_queue = providers.Singleton(InProcessTaskQueue)
    task_queue = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryTaskQueue),
        embedded=in_process_queue,
        full=in_process_queue,
    )

    # Services
    lookups = providers.Singleton(Lookups, uow_factory=uow_factory, cache=object_cache, blobs=blobs)
    media = providers.Singleton(MediaService, blobs=blobs)
    notifier = providers.Singleton(Notifier, ids=ids, counters=counters)
    dispatcher = providers.Singleton(JobDispatcher, uow_factory=uow_factory, queue=task_queue)
    accounts = providers.Factory(
        AccountService, uow_factory=uow_factory, hasher=hasher, clock=clock, ids=ids,
        lookups=lookups, token_ttl=providers.Callable(_days, settings.provided.token_ttl_days),
    )
    profiles = providers.Factory(
        ProfileService, uow_factory=uow_factory, clock=clock, ids=ids, lookups=lookups,
        media=media,
    )
    comments = providers.Factory(
        CommentService, uow_factory=uow_factory, clock=clock, ids=ids, lookups=lookups,
        notifier=notifier,
    )
    posting = providers.Factory(
        PostingService, uow_factory=uow_factory, clock=clock, ids=ids, lookups=lookups,
        media=media, dispatcher=dispatcher, lists=list_cache, comments=comments,
        notifier=notifier, feed_cap=feed_cap,
    )
    fanout = providers.Factory(
        FanoutService, uow_factory=uow_factory, ids=ids, queue=task_queue, lists=list_cache,
        batch_size=settings.provided.fanout_batch,
        celebrity_threshold=settings.provided.celebrity_threshold, feed_cap=feed_cap,
    )
    following = providers.Factory(
        FollowingService, uow_factory=uow_factory, ids=ids, lookups=lookups, lists=list_cache,
        notifier=notifier,
    )
    timeline = providers.Factory(
        TimelineService, uow_factory=uow_factory, lookups=lookups, lists=list_cache,
        cache=object_cache, feed_cap=feed_cap,
    )
    likes = providers.Factory(
        LikeService, uow_factory=uow_factory, ids=ids, lookups=lookups, notifier=notifier
    )
    notifications = providers.Factory(
        NotificationService, uow_factory=uow_factory, lookups=lookups, counters=counters
    )
    rate_limiter = providers.Singleton(
        RateLimiter, store=rate_limit_store, clock=clock,
        enabled=settings.provided.ratelimit_enabled,
    )
    gatekeeper = providers.Factory(GateKeeper, store=gate_store)
    secret_key = providers.Singleton(secret_key_for, settings)

    # Operations
    migrate = providers.Selector(
        profile,
        memory=providers.Object(NO_SCHEMA),
        embedded=providers.Callable(migrate_schema, engine),
        full=providers.Callable(migrate_schema, engine),
    )
    readiness_checks = providers.Selector(
        profile,
        memory=providers.Dict(),
        embedded=providers.Dict(database=providers.Callable(ping_database, engine).provider),
        full=providers.Dict(
            mysql=providers.Callable(ping_database, engine).provider,
            redis=providers.Callable(ping_redis, redis).provider,
            memcached=providers.Callable(ping_memcached, memcached).provider,
        ),
    )
    readiness = providers.Callable(readiness_report, readiness_checks)


def build_container(settings: Settings | None = None) -> Container:
    """A container for `settings` (read from the environment when not given), with the
    in-process queue bound to the fan-out service."""
    container = Container(settings=settings if settings is not None else Settings.from_env())
    queue = container.task_queue()
    if isinstance(queue, InProcessTaskQueue):
        queue.bind(lambda job: container.fanout().run(job))
    return container
