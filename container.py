"""The composition root: settings from CHIRP_* variables and one adapter chosen per port."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

from dependency_injector import containers, providers

from adapters.cache import local as local_cache
from adapters.cache.clients import make_memcached, make_redis, ping_memcached, ping_redis
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
from adapters.mysql.engine import make_engine, upgrade
from adapters.mysql.health import ping as ping_database
from adapters.mysql.unit_of_work import SqlUnitOfWork
from adapters.queue.inprocess import InProcessTaskQueue
from adapters.s3.local import LocalFolderBlobStore
from adapters.system.clock import SystemClock
from adapters.system.ids import SnowflakeIdGenerator
from adapters.system.passwords import FastPasswordHasher, ScryptPasswordHasher
from core.domain.errors import Unavailable
from core.services.accounts import AccountService
from core.services.comments import CommentService
from core.services.dispatch import JobDispatcher
from core.services.fanout import FanoutService
from core.services.following import FollowingService
from core.services.gatekeeper import GateKeeper
from core.services.likes import LikeService
from core.services.lookups import Lookups
from core.services.media import MediaService
from core.services.notifications import NotificationService, Notifier
from core.services.posting import PostingService
from core.services.profiles import ProfileService
from core.services.ratelimit import RateLimiter
from core.services.timeline import TimelineService

PROFILES = ("memory", "embedded", "full")


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Every knob of a chirp process; built from the environment by `Settings.from_env`."""

    profile: str = "embedded"
    data_dir: Path = Path("./var")
    ratelimit_enabled: bool = True
    secret_key: str = ""
    public_url: str = ""
    mysql_url: str = "mysql+pymysql://chirp:chirp@127.0.0.1:3306/chirp?charset=utf8mb4"
    redis_url: str = "redis://127.0.0.1:6379/0"
    memcached_host: str = "127.0.0.1"
    memcached_port: int = 11211
    worker_id: int = 0
    feed_cap: int = 800
    fanout_batch: int = 1000
    celebrity_threshold: int = 10000
    token_ttl_days: int = 30

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"CHIRP_PROFILE must be one of {', '.join(PROFILES)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings named by CHIRP_<FIELD> variables; the only reader of the environment."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for item in fields(cls):
            raw = env.get(f"CHIRP_{item.name.upper()}")
            if raw is None:
                continue
            values[item.name] = _parse(item.type, raw, item.name)
        return cls(**values)

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'chirp.sqlite3').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"


def _parse(kind: object, raw: str, name: str) -> object:
    text = str(kind)
    if "bool" in text:
        if raw.lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            raise ValueError(f"CHIRP_{name.upper()} must be true or false")
        return raw.lower() in {"1", "true", "yes", "on"}
    if "int" in text:
        try:
            return int(raw)
        except ValueError as exc:
            raise ValueError(f"CHIRP_{name.upper()} must be a whole number") from exc
    if "Path" in text:
        return Path(raw)
    return raw


def secret_key_for(settings: Settings) -> str:
    """The configured secret key, or one generated once into the data folder."""
    if settings.secret_key:
        return settings.secret_key
    path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def _profile_of(settings: Settings) -> str:
    return settings.profile


def _sqlite_engine(settings: Settings) -> Any:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.sqlite_url)
    upgrade(engine)  # migrations, not create_all: later revisions must reach embedded files too
    return engine


def _local_gates(settings: Settings) -> local_cache.LocalGateStore:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    return local_cache.LocalGateStore(settings.data_dir / "gates.json")


def _local_blobs(settings: Settings) -> LocalFolderBlobStore:
    return LocalFolderBlobStore(settings.media_dir, settings.public_url + "/media/")


def _token_ttl(settings: Settings) -> timedelta:
    return timedelta(days=settings.token_ttl_days)


def _migrate(settings: Settings, sqlite: Callable[[], Any]) -> str:
    """Bring the relational schema up to date; what was done, in words."""
    if settings.profile == "full":
        upgrade(settings.mysql_url)
        return "mysql schema upgraded to the newest migration"
    if settings.profile == "embedded":
        sqlite()  # creating the engine runs the migrations
        return f"sqlite schema ready at {settings.sqlite_url}"
    return "the memory profile has no schema"


def _readiness(settings: Settings, sqlite: Callable[[], Any], mysql: Callable[[], Any],
               redis: Callable[[], Any], memcached: Callable[[], Any]) -> dict[str, str | None]:
    """Each configured backend's name, with None when it answers or why it does not."""
    checks: dict[str, Callable[[], None]] = {}
    if settings.profile == "embedded":
        checks["database"] = lambda: ping_database(sqlite())
    elif settings.profile == "full":
        checks["mysql"] = lambda: ping_database(mysql())
        checks["redis"] = lambda: ping_redis(redis())
        checks["memcached"] = lambda: ping_memcached(memcached())
    report: dict[str, str | None] = {}
    for name, check in checks.items():
        try:
            check()
            report[name] = None
        except Unavailable as exc:
            report[name] = exc.message
    return report


class Container(containers.DeclarativeContainer):
    """The wiring diagram: one adapter per port for each profile, then the services."""

    settings = providers.Dependency(instance_of=Settings)
    profile = providers.Callable(_profile_of, settings)

    clock = providers.Selector(profile, memory=providers.Singleton(FakeClock),
                               embedded=providers.Singleton(SystemClock),
                               full=providers.Singleton(SystemClock))
    ids = providers.Selector(
        profile,
        memory=providers.Singleton(SequentialIdGenerator, clock),
        embedded=providers.Singleton(SnowflakeIdGenerator, clock, settings.provided.worker_id),
        full=providers.Singleton(SnowflakeIdGenerator, clock, settings.provided.worker_id),
    )
    hasher = providers.Selector(profile, memory=providers.Singleton(FastPasswordHasher),
                                embedded=providers.Singleton(ScryptPasswordHasher),
                                full=providers.Singleton(ScryptPasswordHasher))

    memory_db = providers.Singleton(InMemoryDatabase)
    sqlite_engine = providers.Singleton(_sqlite_engine, settings)
    mysql_engine = providers.Singleton(make_engine, settings.provided.mysql_url)
    uow_factory = providers.Selector(
        profile,
        memory=providers.Singleton(partial, InMemoryUnitOfWork, memory_db),
        embedded=providers.Singleton(partial, SqlUnitOfWork, sqlite_engine),
        full=providers.Singleton(partial, SqlUnitOfWork, mysql_engine),
    )

    redis = providers.Singleton(make_redis, settings.provided.redis_url)
    memcached = providers.Singleton(make_memcached, settings.provided.memcached_host,
                                    settings.provided.memcached_port)
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
        embedded=providers.Singleton(_local_gates, settings),
        full=providers.Singleton(RedisGateStore, redis),
    )
    task_queue = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryTaskQueue),
        embedded=providers.Singleton(InProcessTaskQueue),
        full=providers.Singleton(InProcessTaskQueue),
    )
    blobs = providers.Selector(
        profile,
        memory=providers.Singleton(InMemoryBlobStore),
        embedded=providers.Singleton(_local_blobs, settings),
        full=providers.Singleton(_local_blobs, settings),
    )

    lookups = providers.Singleton(Lookups, uow_factory, object_cache, blobs)
    media = providers.Singleton(MediaService, blobs)
    notifier = providers.Singleton(Notifier, ids, counters)
    dispatcher = providers.Singleton(JobDispatcher, uow_factory, task_queue)

    accounts = providers.Factory(AccountService, uow_factory, hasher, clock, ids, lookups,
                                 providers.Callable(_token_ttl, settings))
    profiles = providers.Factory(ProfileService, uow_factory, clock, ids, lookups, media)
    comments = providers.Factory(CommentService, uow_factory, clock, ids, lookups, notifier)
    posting = providers.Factory(PostingService, uow_factory, clock, ids, lookups, media,
                                dispatcher, list_cache, comments, notifier,
                                feed_cap=settings.provided.feed_cap)
    fanout = providers.Factory(FanoutService, uow_factory, ids, task_queue, list_cache,
                               batch_size=settings.provided.fanout_batch,
                               celebrity_threshold=settings.provided.celebrity_threshold,
                               feed_cap=settings.provided.feed_cap)
    following = providers.Factory(FollowingService, uow_factory, ids, lookups, list_cache,
                                  notifier)
    timeline = providers.Factory(TimelineService, uow_factory, lookups, list_cache,
                                 object_cache, feed_cap=settings.provided.feed_cap)
    likes = providers.Factory(LikeService, uow_factory, ids, lookups, notifier)
    notifications = providers.Factory(NotificationService, uow_factory, lookups, counters)
    rate_limiter = providers.Singleton(RateLimiter, rate_limit_store, clock,
                                       enabled=settings.provided.ratelimit_enabled)
    gatekeeper = providers.Factory(GateKeeper, gate_store)
    secret_key = providers.Singleton(secret_key_for, settings)
    migrate = providers.Callable(_migrate, settings, sqlite_engine.provider)
    readiness = providers.Callable(_readiness, settings, sqlite_engine.provider,
                                   mysql_engine.provider, redis.provider, memcached.provider)


def build_container(settings: Settings | None = None) -> Container:
    """A container for `settings` (read from the environment when not given), with the
    in-process queue bound to the fan-out service."""
    container = Container(settings=settings if settings is not None else Settings.from_env())
    queue = container.task_queue()
    if isinstance(queue, InProcessTaskQueue):
        queue.bind(lambda job: container.fanout().run(job))
    return container
