"""The boto3 S3 client: timeouts, retries and addressing set here, not left to defaults."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
from botocore.config import Config

# A dead endpoint must cost a request a few seconds, not botocore's 60 s per attempt.
CONNECT_TIMEOUT_SECONDS = 2.0
READ_TIMEOUT_SECONDS = 10.0
# "standard" retries throttling and transient 5xx/connection errors with jittered backoff;
# three attempts in all keep a request that meets a down store under ~10 s.
RETRY_MODE = "standard"
MAX_ATTEMPTS = 3
# At least the API server's thread count, so threads do not queue for a connection.
MAX_POOL_CONNECTIONS = 16


def s3_config(*, path_style: bool = True) -> Config:
    """The client configuration every chirp S3 client uses."""
    return Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": RETRY_MODE, "max_attempts": MAX_ATTEMPTS},
        max_pool_connections=MAX_POOL_CONNECTIONS,
        # SigV4 everywhere: presigned URLs otherwise default to SigV2, which newer AWS
        # regions refuse.
        signature_version="s3v4",
        s3={"addressing_style": "path" if path_style else "auto"},
    )


def make_s3_client(
    *,
    endpoint_url: str,
    region: str,
    access_key: str,
    secret_key: str,
    path_style: bool = True,
) -> Any:
    """An S3 client; connects lazily on first use. An empty endpoint means AWS's own, and
    empty keys mean boto3's usual credential chain (environment, profile, instance role)."""
    # A session of its own: boto3's default session is not safe to share across threads.
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=endpoint_url or None,
        region_name=region,
        aws_access_key_id=access_key or None,
        aws_secret_access_key=secret_key or None,
        config=s3_config(path_style=path_style),
    )


def s3_client_resource(**options: Any) -> Iterator[Any]:
    """An S3 client for the lifetime of a container (options as `make_s3_client`); its
    connection pool is closed at shutdown."""
    client = make_s3_client(**options)
    try:
        yield client
    finally:
        client.close()
