"""Readiness probes with the project's own drivers: None when a server answers, else why not."""

from __future__ import annotations

import boto3
import happybase
import pika
import pymysql
import redis
from botocore.config import Config
from pymemcache.client.base import Client as MemcacheClient

from scripts.backing.settings import HOST, S3_ACCESS_KEY, S3_REGION, S3_SECRET_KEY

# Every probe catches Exception on purpose: whatever a driver raises (socket, protocol or
# auth errors) means "not ready yet", and the reason goes into the waiting/failure message.


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def check_mysql(port: int, user: str, password: str, timeout: float = 3) -> str | None:
    """`select 1` as `user` over TCP."""
    try:
        conn = pymysql.connect(
            host=HOST, port=port, user=user, password=password,
            connect_timeout=timeout, read_timeout=timeout,
        )  # fmt: skip
        try:
            with conn.cursor() as cur:
                cur.execute("select 1")
                return None if cur.fetchone() == (1,) else "unexpected answer to select 1"
        finally:
            conn.close()
    except Exception as exc:  # noqa: BLE001
        return _reason(exc)


def check_redis(port: int, timeout: float = 2) -> str | None:
    """PING."""
    client = redis.Redis(host=HOST, port=port, socket_timeout=timeout,
                         socket_connect_timeout=timeout)  # fmt: skip
    try:
        return None if client.ping() else "no PONG"
    except Exception as exc:  # noqa: BLE001
        return _reason(exc)
    finally:
        client.close()


def check_memcached(port: int, timeout: float = 2) -> str | None:
    """`version`."""
    client = MemcacheClient((HOST, port), connect_timeout=timeout, timeout=timeout)
    try:
        return None if client.version() else "empty version"
    except Exception as exc:  # noqa: BLE001
        return _reason(exc)
    finally:
        client.close()


def check_amqp(port: int, timeout: float = 3) -> str | None:
    """An AMQP connection and a channel as guest/guest."""
    try:
        params = pika.ConnectionParameters(
            host=HOST, port=port, credentials=pika.PlainCredentials("guest", "guest"),
            connection_attempts=1, socket_timeout=timeout, blocked_connection_timeout=timeout,
            stack_timeout=timeout + 2,
        )  # fmt: skip
        conn = pika.BlockingConnection(params)
        conn.channel()
        conn.close()
        return None
    except Exception as exc:  # noqa: BLE001
        return _reason(exc)


def check_thrift(port: int, timeout: float = 5) -> str | None:
    """HBase's table list through the Thrift1 gateway."""
    try:
        conn = happybase.Connection(HOST, port, timeout=int(timeout * 1000))
        try:
            conn.tables()
        finally:
            conn.close()
        return None
    except Exception as exc:  # noqa: BLE001
        return _reason(exc)


def check_s3(port: int, timeout: float = 3) -> str | None:
    """ListBuckets, one attempt."""
    try:
        client = boto3.client(
            "s3", endpoint_url=f"http://{HOST}:{port}", region_name=S3_REGION,
            aws_access_key_id=S3_ACCESS_KEY, aws_secret_access_key=S3_SECRET_KEY,
            config=Config(connect_timeout=timeout, read_timeout=timeout,
                          retries={"max_attempts": 1}),
        )  # fmt: skip
        client.list_buckets()
        return None
    except Exception as exc:  # noqa: BLE001
        return _reason(exc)
