"""The adapters of the composition root: one per port for each profile, clients shared."""

from __future__ import annotations

from functools import partial

from dependency_injector import containers, providers

from adapters.cache.clients import memcached_resource, ping_memcached, ping_redis, redis_resource
from adapters.cache.file_gate_store import FileGateStore
from adapters.cache.memcached_object_cache import MemcachedObjectCache
from adapters.cache.redis_counters import RedisCounters
from adapters.cache.redis_events import RedisEventBroker
from adapters.cache.redis_gate_store import RedisGateStore
from adapters.cache.redis_list_cache import RedisListCache
from adapters.cache.redis_rate_limit_store import RedisRateLimitStore
from adapters.cache.stamped_object_cache import SharedStampObjectCache
from adapters.hbase import (
    HBaseFeedStore,
    HBaseFollowStore,
    create_tables,
    hbase_pool_resource,
    ping_hbase,
)
from adapters.memory.blobs import InMemoryBlobStore
from adapters.memory.checkpoints import InMemoryCheckpointStore
from adapters.memory.clock import FakeClock
from adapters.memory.counters import InMemoryCounters
from adapters.memory.database import InMemoryDatabase
from adapters.memory.events import InMemoryEventBroker
from adapters.memory.gates import InMemoryGateStore
from adapters.memory.ids import SequentialIdGenerator
from adapters.memory.list_cache import InMemoryListCache
from adapters.memory.migration_source import InMemoryMigrationSource
from adapters.memory.object_cache import InMemoryObjectCache
from adapters.memory.rate_limits import InMemoryRateLimitStore
from adapters.memory.task_queue import InMemoryTaskQueue
from adapters.memory.unit_of_work import InMemoryUnitOfWork
from adapters.mysql.checkpoints import SqlCheckpointStore
from adapters.mysql.engine import engine_resource, migrate_schema
from adapters.mysql.event_log import SqliteEventLog
from adapters.mysql.health import ping as ping_database
from adapters.mysql.job_queue import SqlTaskQueue
from adapters.mysql.migration_source import SqlMigrationSource
from adapters.mysql.rate_limits import SqlRateLimitStore, rate_window_engine
from adapters.mysql.uncached import NoCounters, NoListCache
from adapters.mysql.unit_of_work import SqlUnitOfWork
from adapters.queue.dramatiq_queue import dramatiq_queue_resource
from adapters.s3.client import s3_client_resource
from adapters.s3.local import LocalFolderBlobStore
from adapters.s3.s3_blob_store import S3BlobStore
from adapters.system.clock import SystemClock
from adapters.system.id_slots import holding_worker
from adapters.system.ids import SnowflakeIdGenerator
from adapters.system.metrics import PrometheusMetrics
from adapters.system.passwords import FastPasswordHasher, ScryptPasswordHasher
from settings import Settings

NO_SCHEMA = "the memory profile has no schema"


def _seconds(milliseconds: int) -> float:
    return milliseconds / 1000


def _lines(*parts: str) -> str:
    return "\n".join(parts)


class Backends(containers.DeclarativeContainer):
    """Clients and engines are Resources (closed by `shutdown_resources()`); each real
    adapter is defined once and `Selector(profile, ...)` picks one per port. The memory
    profile has the in-process caches; embedded shares what must be shared (rate-limit
    windows) through SQLite and caches nothing, so several processes stay coherent."""

    settings = providers.Dependency(instance_of=Settings)
    cfg = settings.provided
    profile = cfg.profile

    # Clients and engines
    sqlite_engine = providers.Resource(engine_resource, cfg.sqlite_url, migrate=True)
    mysql_engine = providers.Resource(engine_resource, cfg.mysql_url)
    engine = providers.Selector(profile, embedded=sqlite_engine, full=mysql_engine)
    redis = providers.Resource(redis_resource, cfg.redis_url)
    memcached = providers.Resource(memcached_resource, cfg.memcached_host, cfg.memcached_port)
    s3_client = providers.Resource(
        s3_client_resource, endpoint_url=cfg.s3_endpoint_url, region=cfg.s3_region,
        access_key=cfg.s3_access_key, secret_key=cfg.s3_secret_key, path_style=cfg.s3_path_style,
    )  # fmt: skip
    memory_db = providers.Singleton(InMemoryDatabase)

    # System ports
    system_clock = providers.Singleton(SystemClock)
    clock = providers.Selector(
        profile, memory=providers.Singleton(FakeClock), embedded=system_clock, full=system_clock
    )
    worker_number = providers.Resource(
        holding_worker, cfg.data_dir, cfg.worker_id, cfg.worker_id_count
    )  # one per process: two with one number made duplicate ids
    snowflakes = providers.Singleton(SnowflakeIdGenerator, clock=clock, worker=worker_number)
    sequential = providers.Singleton(SequentialIdGenerator, clock=clock)
    ids = providers.Selector(profile, memory=sequential, embedded=snowflakes, full=snowflakes)
    scrypt = providers.Singleton(ScryptPasswordHasher, n=cfg.scrypt_n)
    fast_hasher = providers.Singleton(FastPasswordHasher)
    hasher = providers.Selector(profile, memory=fast_hasher, embedded=scrypt, full=scrypt)
    # Every profile: a process's own counts, or under `chirp serve` every worker's summed.
    metrics = providers.Singleton(PrometheusMetrics)

    # Stores
    sql_uow = providers.Singleton(partial, SqlUnitOfWork, engine)
    memory_uow = providers.Singleton(partial, InMemoryUnitOfWork, memory_db)
    uow_factory = providers.Selector(profile, memory=memory_uow, embedded=sql_uow, full=sql_uow)
    media_url = providers.Callable("{}/media/".format, cfg.public_url)
    local_blobs = providers.Singleton(LocalFolderBlobStore, root=cfg.media_dir, base_url=media_url)
    s3_blobs = providers.Singleton(
        S3BlobStore, client=s3_client, bucket=cfg.s3_bucket, public_url=cfg.public_url,
        presign_seconds=cfg.s3_presign_seconds,
    )  # fmt: skip
    memory_blobs = providers.Singleton(InMemoryBlobStore, clock=clock)
    blobs = providers.Selector(profile, memory=memory_blobs, embedded=local_blobs, full=s3_blobs)

    # Follows and feeds: SQL always; on full, HBase too (behind the hbase_* gates)
    hbase_pool = providers.Resource(
        hbase_pool_resource, host=cfg.hbase_host, port=cfg.hbase_port, size=cfg.hbase_pool_size,
        timeout_ms=cfg.hbase_timeout_ms,
    )  # fmt: skip
    hbase_follows = providers.Singleton(
        HBaseFollowStore, pool=hbase_pool, prefix=cfg.hbase_table_prefix
    )
    hbase_feeds = providers.Singleton(
        HBaseFeedStore, pool=hbase_pool, prefix=cfg.hbase_table_prefix
    )
    no_store: providers.Object[None] = providers.Object(None)
    second_follows = providers.Selector(
        profile, memory=no_store, embedded=no_store, full=hbase_follows
    )
    second_feeds = providers.Selector(profile, memory=no_store, embedded=no_store, full=hbase_feeds)
    sql_source = providers.Singleton(SqlMigrationSource, engine=engine)
    memory_source = providers.Singleton(InMemoryMigrationSource, memory_db)
    migration_source = providers.Selector(
        profile, memory=memory_source, embedded=sql_source, full=sql_source
    )
    sql_checkpoints = providers.Singleton(SqlCheckpointStore, engine=engine)
    memory_checkpoints = providers.Singleton(InMemoryCheckpointStore)
    checkpoints = providers.Selector(
        profile, memory=memory_checkpoints, embedded=sql_checkpoints, full=sql_checkpoints
    )

    # Caches. Embedded keeps objects per process, each entry checked against a stamp table
    # in the data folder that every process's writes bump (SharedStampObjectCache); it has
    # no list cache or counters, which a per-process copy could not keep coherent as cheaply.
    objects = providers.Singleton(InMemoryObjectCache, clock=clock)
    memcached_objects = providers.Singleton(MemcachedObjectCache, client=memcached)
    object_stamps = cfg.data_dir.joinpath.call("object-stamps")
    shared_objects = providers.Singleton(SharedStampObjectCache, path=object_stamps, clock=clock)
    object_cache = providers.Selector(
        profile, memory=objects, embedded=shared_objects, full=memcached_objects
    )
    lists = providers.Singleton(InMemoryListCache, clock=clock)
    redis_lists = providers.Singleton(RedisListCache, client=redis)
    list_cache = providers.Selector(
        profile, memory=lists, embedded=providers.Singleton(NoListCache), full=redis_lists
    )
    counts = providers.Singleton(InMemoryCounters, clock=clock)
    redis_counts = providers.Singleton(RedisCounters, client=redis)
    counters = providers.Selector(
        profile, memory=counts, embedded=providers.Singleton(NoCounters), full=redis_counts
    )
    windows = providers.Singleton(InMemoryRateLimitStore, clock=clock)
    window_engine = providers.Resource(rate_window_engine, cfg.ratelimit_sqlite_url)
    sql_windows = providers.Singleton(SqlRateLimitStore, engine=window_engine, clock=clock)
    redis_windows = providers.Singleton(RedisRateLimitStore, client=redis)
    rate_limit_store = providers.Selector(
        profile, memory=windows, embedded=sql_windows, full=redis_windows
    )
    # Where a process counts alone while the shared windows cannot (RateLimiter's rule).
    local_windows = providers.Singleton(InMemoryRateLimitStore, clock=clock)
    gates_file = cfg.data_dir.joinpath.call("gates.json")
    gate_store = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryGateStore),
        embedded=providers.Singleton(FileGateStore, path=gates_file),
        full=providers.Singleton(RedisGateStore, client=redis),
    )

    # Live-stream events: best effort, shared by every process of a deployment
    memory_events = providers.Singleton(InMemoryEventBroker)
    events_file = cfg.data_dir.joinpath.call("events.sqlite3")
    sqlite_events = providers.Singleton(SqliteEventLog, path=events_file)
    redis_events = providers.Singleton(RedisEventBroker, client=redis)
    events = providers.Selector(
        profile, memory=memory_events, embedded=sqlite_events, full=redis_events
    )

    # Jobs
    sql_queue = providers.Singleton(
        SqlTaskQueue, engine=engine, clock=clock, max_attempts=cfg.job_attempts,
        min_backoff=providers.Callable(_seconds, cfg.job_min_backoff_ms),
        max_backoff=providers.Callable(_seconds, cfg.job_max_backoff_ms),
        lease=providers.Callable(_seconds, cfg.job_lease_ms),
    )  # fmt: skip
    amqp_queue = providers.Resource(
        dramatiq_queue_resource, url=cfg.amqp_url, queue_name=cfg.queue_name,
        max_attempts=cfg.job_attempts, min_backoff_ms=cfg.job_min_backoff_ms,
        max_backoff_ms=cfg.job_max_backoff_ms,
    )  # fmt: skip
    memory_queue = providers.Singleton(InMemoryTaskQueue)
    task_queue = providers.Selector(
        profile, memory=memory_queue, embedded=sql_queue, full=amqp_queue
    )

    # Operations: the schema (and bucket) upgrade, and what readiness pings
    sql_schema = providers.Callable(migrate_schema, engine)
    bucket = providers.Callable(S3BlobStore.ensure_bucket, s3_blobs)
    hbase_tables = providers.Callable(create_tables, hbase_pool, cfg.hbase_table_prefix)
    migrate = providers.Selector(
        profile,
        memory=providers.Object(NO_SCHEMA),
        embedded=sql_schema,
        full=providers.Callable(_lines, sql_schema, bucket, hbase_tables),
    )
    ping_sql = providers.Callable(ping_database, engine).provider
    readiness_checks = providers.Selector(
        profile,
        memory=providers.Dict(),
        embedded=providers.Dict(database=ping_sql),
        full=providers.Dict(
            mysql=ping_sql,
            redis=providers.Callable(ping_redis, redis).provider,
            memcached=providers.Callable(ping_memcached, memcached).provider,
            # Heads the bucket, creating it when missing: a fresh S3 server becomes ready.
            s3=bucket.provider,
            hbase=providers.Callable(ping_hbase, hbase_pool).provider,
        ),
    )
