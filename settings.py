"""Settings: every knob of a chirp process, typed, read from CHIRP_* variables in one place."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, get_type_hints

PROFILES = ("memory", "embedded", "full")
LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"0", "false", "no", "off"}


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
    amqp_url: str = "amqp://guest:guest@127.0.0.1:5672/%2F"
    queue_name: str = "chirp-jobs"
    job_attempts: int = 5
    job_min_backoff_ms: int = 200
    job_max_backoff_ms: int = 30_000
    # How long a job taken by a process that then died stays untouched (embedded queue).
    job_lease_ms: int = 30_000
    worker_threads: int = 4
    relay_interval_ms: int = 200
    # This machine's snowflake worker numbers: worker_id onwards, worker_id_count of them;
    # each process claims a free one (adapters/system/id_slots.py). Machines: disjoint ranges.
    worker_id: int = 0
    worker_id_count: int = 16
    feed_cap: int = 800
    fanout_batch: int = 1000
    celebrity_threshold: int = 10000
    token_ttl_days: int = 30
    # How often the worker deletes expired session tokens (they stop working at expiry
    # regardless; this only keeps the table from growing forever).
    token_purge_interval_ms: int = 3_600_000
    # scrypt's cost N for new password hashes (OWASP: 2**17 with r=8, p=1, 128 MiB each);
    # older hashes are re-made at the next login. Only tests should lower it.
    scrypt_n: int = 2**17
    # Photos and avatars on the full profile: any S3-compatible endpoint ("" means AWS's own).
    s3_endpoint_url: str = "http://127.0.0.1:9000"
    s3_bucket: str = "chirp-media"
    s3_region: str = "us-east-1"
    s3_access_key: str = "chirp"
    s3_secret_key: str = "chirpsecret"
    # Path-style URLs (endpoint/bucket/key) work on every S3-compatible server; virtual-host
    # style (bucket.endpoint/key) needs DNS for each bucket name.
    s3_path_style: bool = True
    # Longer than the hour a user summary (holding its avatar URL) stays in the object
    # cache, so no cached summary hands out an expired URL.
    s3_presign_seconds: int = 7200
    # Follows and feeds on HBase (full profile, behind a gate): its Thrift1 gateway.
    hbase_host: str = "127.0.0.1"
    hbase_port: int = 9090
    hbase_table_prefix: str = "chirp_"
    hbase_pool_size: int = 10
    # Socket timeout of each Thrift call, and the longest wait for a free pooled connection.
    hbase_timeout_ms: int = 5000
    # Proxies in front of `chirp serve` whose X-Forwarded-For/-Proto/-Host are believed
    # (0: none, the peer is the client; a client could forge the headers otherwise).
    trusted_proxies: int = 0
    # Always mark the session cookie Secure, not only when the request came over https.
    cookie_secure: bool = False
    # Log lines as text ("text") or one JSON object per line ("json", for a log shipper).
    log_format: str = "text"
    log_level: str = "INFO"
    # A live stream's heartbeat comment when nothing else was sent (keeps proxies from
    # closing it and finds clients that left).
    stream_heartbeat_ms: int = 15_000
    # An open stream ends after this long (the client reconnects from its last id, losing
    # nothing), so long-lived connections spread over restarted or added stream servers.
    stream_max_ms: int = 3_600_000
    # A connection of a gevent server (streams) that neither sends nor takes a byte for this
    # long is dropped: a client that stopped reading holds nothing for ever.
    stall_ms: int = 60_000

    def __post_init__(self) -> None:
        if self.profile not in PROFILES:
            raise ValueError(f"CHIRP_PROFILE must be one of {', '.join(PROFILES)}")
        if self.trusted_proxies < 0:
            raise ValueError("CHIRP_TRUSTED_PROXIES must be 0 or more")
        if self.log_format not in LOG_FORMATS:
            raise ValueError(f"CHIRP_LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}")
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"CHIRP_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings named by CHIRP_<FIELD> variables; the only reader of the environment."""
        env = os.environ if environ is None else environ
        types = get_type_hints(cls)
        values: dict[str, Any] = {}
        for item in fields(cls):
            variable = f"CHIRP_{item.name.upper()}"
            raw = env.get(variable)
            if raw is not None:
                values[item.name] = _parse(types[item.name], raw, variable)
        return cls(**values)

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{(self.data_dir / 'chirp.sqlite3').resolve()}"

    @property
    def media_dir(self) -> Path:
        return self.data_dir / "media"

    @property
    def ratelimit_sqlite_url(self) -> str:
        """The embedded profile's rate-limit windows: a file of their own, so counting a
        request never waits for the data file's write lock (a fan-out batch holds it)."""
        return f"sqlite:///{(self.data_dir / 'ratelimits.sqlite3').resolve()}"


def _parse_bool(raw: str) -> bool:
    if raw.lower() not in _TRUE | _FALSE:
        raise ValueError("must be true or false")
    return raw.lower() in _TRUE


def _parse_int(raw: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise ValueError("must be a whole number") from None


_PARSERS: dict[type, Callable[[str], object]] = {
    bool: _parse_bool,
    int: _parse_int,
    Path: Path,
    str: str,
}


def _parse(kind: type, raw: str, variable: str) -> object:
    """`raw` as a value of the field's declared type, or ValueError naming the variable."""
    try:
        return _PARSERS[kind](raw)
    except ValueError as exc:
        raise ValueError(f"{variable} {exc}") from None


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
