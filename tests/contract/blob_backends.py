"""S3 blob stores on the real (moto) server, one fresh bucket each, for the contract tests."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from adapters.s3.client import make_s3_client
from adapters.s3.s3_blob_store import S3BlobStore
from settings import Settings

HOW_TO_START = "start it with `scripts/services up s3`"


class ServerUnreachable(RuntimeError):
    """The S3 contract tests cannot run: they fail loudly, naming the server."""


def s3_client(settings: Settings | None = None) -> Any:
    """A client on CHIRP_S3_ENDPOINT_URL (default: the server `scripts/services` starts),
    checked with one ListBuckets."""
    settings = settings if settings is not None else Settings.from_env()
    client = make_s3_client(
        endpoint_url=settings.s3_endpoint_url, region=settings.s3_region,
        access_key=settings.s3_access_key, secret_key=settings.s3_secret_key,
        path_style=settings.s3_path_style,
    )  # fmt: skip
    try:
        client.list_buckets()
    except Exception as exc:
        client.close()
        raise ServerUnreachable(
            f"S3 at {settings.s3_endpoint_url} unreachable ({exc}); {HOW_TO_START}"
        ) from exc
    return client


def fresh_bucket_name() -> str:
    return f"chirp-test-{uuid.uuid4().hex[:16]}"


@contextmanager
def fresh_s3_store(public_url: str = "") -> Iterator[S3BlobStore]:
    """A store on a bucket of its own (made here, emptied and removed afterwards)."""
    client = s3_client()
    bucket = fresh_bucket_name()
    client.create_bucket(Bucket=bucket)
    try:
        yield S3BlobStore(client, bucket, public_url=public_url, presign_seconds=60)
    finally:
        remove_bucket(client, bucket)
        client.close()


def remove_bucket(client: Any, bucket: str) -> None:
    """Delete every object of `bucket`, then the bucket (moto keeps them all in memory)."""
    if bucket not in {b["Name"] for b in client.list_buckets().get("Buckets", [])}:
        return
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        objects = [{"Key": o["Key"]} for o in page.get("Contents", [])]
        if objects:
            client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
    client.delete_bucket(Bucket=bucket)
