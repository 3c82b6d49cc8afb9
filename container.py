"""The composition root: one adapter per port for each profile, then the services."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from dependency_injector import containers, providers

from adapters.cache.clients import memcached_resource, ping_memcached, ping_redis, redis_resource
from adapters.cache.file_gate_store import FileGateStore
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
from adapters.mysql.job_queue import SqlTaskQueue
from adapters.mysql.unit_of_work import SqlUnitOfWork
from adapters.queue.dramatiq_queue import dramatiq_queue_resource
from adapters.s3.client import s3_client_resource
from adapters.s3.local import LocalFolderBlobStore
from adapters.s3.s3_blob_store import S3BlobStore
from adapters.system.background import consuming, every
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
from core.services.media import MediaService, MediaSweeper
from core.services.notifications import NotificationService, Notifier
from core.services.posting import PostingService
from core.services.profiles import ProfileService
from core.services.ratelimit import RateLimiter
from core.services.timeline import TimelineService
from settings import Settings, secret_key_for

NO_SCHEMA = "the memory profile has no schema"


def _days(days: int) -> timedelta:
    return timedelta(days=days)


def _seconds(milliseconds: int) -> float:
    return milliseconds / 1000


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
    s3_client = providers.Resource(
        s3_client_resource,
        endpoint_url=settings.provided.s3_endpoint_url,
        region=settings.provided.s3_region,
        access_key=settings.provided.s3_access_key,
        secret_key=settings.provided.s3_secret_key,
        path_style=settings.provided.s3_path_style,
    )
    s3_blobs = providers.Singleton(
        S3BlobStore,
        client=s3_client,
        bucket=settings.provided.s3_bucket,
        public_url=settings.provided.public_url,
        presign_seconds=settings.provided.s3_presign_seconds,
    )
    blobs = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryBlobStore, clock=clock),
        embedded=local_blobs,
        full=s3_blobs,
    )

    # Caches
    # One in-process implementation per cache port serves both the memory profile (on the
    # fake clock) and the embedded one (on the system clock).
    in_process_objects = providers.Singleton(InMemoryObjectCache, clock=clock)
    object_cache = providers.Selector(
        profile,
        memory=in_process_objects,
        embedded=in_process_objects,
        full=providers.Singleton(MemcachedObjectCache, client=memcached),
    )
    in_process_lists = providers.Singleton(InMemoryListCache, clock=clock)
    list_cache = providers.Selector(
        profile,
        memory=in_process_lists,
        embedded=in_process_lists,
        full=providers.Singleton(RedisListCache, client=redis),
    )
    in_process_counters = providers.Singleton(InMemoryCounters, clock=clock)
    counters = providers.Selector(
        profile,
        memory=in_process_counters,
        embedded=in_process_counters,
        full=providers.Singleton(RedisCounters, client=redis),
    )
    in_process_rate_limits = providers.Singleton(InMemoryRateLimitStore, clock=clock)
    rate_limit_store = providers.Selector(
        profile,
        memory=in_process_rate_limits,
        embedded=in_process_rate_limits,
        full=providers.Singleton(RedisRateLimitStore, client=redis),
    )
    gate_store = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryGateStore),
        embedded=providers.Singleton(
            FileGateStore, path=settings.provided.data_dir.joinpath.call("gates.json")
        ),
        full=providers.Singleton(RedisGateStore, client=redis),
    )

    # Jobs
    sql_queue = providers.Singleton(
        SqlTaskQueue,
        engine=engine,
        clock=clock,
        max_attempts=settings.provided.job_attempts,
        min_backoff=providers.Callable(_seconds, settings.provided.job_min_backoff_ms),
        max_backoff=providers.Callable(_seconds, settings.provided.job_max_backoff_ms),
    )
    amqp_queue = providers.Resource(
        dramatiq_queue_resource,
        url=settings.provided.amqp_url,
        queue_name=settings.provided.queue_name,
        max_attempts=settings.provided.job_attempts,
        min_backoff_ms=settings.provided.job_min_backoff_ms,
        max_backoff_ms=settings.provided.job_max_backoff_ms,
    )
    task_queue = providers.Selector(
        profile, memory=providers.Singleton(InMemoryTaskQueue), embedded=sql_queue, full=amqp_queue
    )

    # Services
    lookups = providers.Singleton(Lookups, uow_factory=uow_factory, cache=object_cache, blobs=blobs)
    media = providers.Singleton(MediaService, blobs=blobs)
    media_sweeper = providers.Factory(
        MediaSweeper, uow_factory=uow_factory, blobs=blobs, clock=clock
    )
    notifier = providers.Singleton(Notifier, ids=ids, counters=counters)
    dispatcher = providers.Singleton(
        JobDispatcher, uow_factory=uow_factory, queue=task_queue, clock=clock
    )
    accounts = providers.Factory(
        AccountService,
        uow_factory=uow_factory,
        hasher=hasher,
        clock=clock,
        ids=ids,
        lookups=lookups,
        token_ttl=providers.Callable(_days, settings.provided.token_ttl_days),
    )
    profiles = providers.Factory(
        ProfileService,
        uow_factory=uow_factory,
        clock=clock,
        ids=ids,
        lookups=lookups,
        media=media,
    )
    comments = providers.Factory(
        CommentService,
        uow_factory=uow_factory,
        clock=clock,
        ids=ids,
        lookups=lookups,
        notifier=notifier,
    )
    posting = providers.Factory(
        PostingService,
        uow_factory=uow_factory,
        clock=clock,
        ids=ids,
        lookups=lookups,
        media=media,
        dispatcher=dispatcher,
        lists=list_cache,
        comments=comments,
        notifier=notifier,
        feed_cap=feed_cap,
    )
    fanout = providers.Factory(
        FanoutService,
        uow_factory=uow_factory,
        ids=ids,
        queue=task_queue,
        lists=list_cache,
        batch_size=settings.provided.fanout_batch,
        celebrity_threshold=settings.provided.celebrity_threshold,
        feed_cap=feed_cap,
    )
    following = providers.Factory(
        FollowingService,
        uow_factory=uow_factory,
        ids=ids,
        lookups=lookups,
        lists=list_cache,
        notifier=notifier,
    )
    timeline = providers.Factory(
        TimelineService,
        uow_factory=uow_factory,
        lookups=lookups,
        lists=list_cache,
        cache=object_cache,
        feed_cap=feed_cap,
    )
    likes = providers.Factory(
        LikeService, uow_factory=uow_factory, ids=ids, lookups=lookups, notifier=notifier
    )
    notifications = providers.Factory(
        NotificationService, uow_factory=uow_factory, lookups=lookups, counters=counters
    )
    rate_limiter = providers.Singleton(
        RateLimiter,
        store=rate_limit_store,
        clock=clock,
        enabled=settings.provided.ratelimit_enabled,
    )
    gatekeeper = providers.Factory(GateKeeper, store=gate_store)
    secret_key = providers.Singleton(secret_key_for, settings)

    # Background roles: the worker's, which the embedded server runs in its own process
    job_consumer = providers.Resource(
        consuming,
        queue=task_queue,
        handler=fanout.provided.run,
        threads=settings.provided.worker_threads,
    )
    relay_loop = providers.Resource(
        every, "relay", dispatcher.provided.relay, settings.provided.relay_interval_ms
    )
    worker_roles = providers.Dict(consumer=job_consumer, relay=relay_loop)
    server_roles = providers.Selector(
        profile, memory=providers.Dict(), embedded=worker_roles, full=providers.Dict()
    )

    # Operations
    migrate = providers.Selector(
        profile,
        memory=providers.Object(NO_SCHEMA),
        embedded=providers.Callable(migrate_schema, engine),
        full=providers.Callable(
            "\n".join,
            providers.List(
                providers.Callable(migrate_schema, engine),
                providers.Callable(S3BlobStore.ensure_bucket, s3_blobs),
            ),
        ),
    )
    readiness_checks = providers.Selector(
        profile,
        memory=providers.Dict(),
        embedded=providers.Dict(database=providers.Callable(ping_database, engine).provider),
        full=providers.Dict(
            mysql=providers.Callable(ping_database, engine).provider,
            redis=providers.Callable(ping_redis, redis).provider,
            memcached=providers.Callable(ping_memcached, memcached).provider,
            # Heads the bucket, creating it when missing: a fresh S3 server becomes ready.
            s3=providers.Callable(S3BlobStore.ensure_bucket, s3_blobs).provider,
        ),
    )
    readiness = providers.Callable(readiness_report, readiness_checks)


def build_container(settings: Settings | None = None) -> Container:
    """A container for `settings` (read from the environment when not given)."""
    return Container(settings=settings if settings is not None else Settings.from_env())
