"""S3BlobStore: photos and avatars as objects in one bucket of an S3-compatible server."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from core.domain.errors import Invalid, Unavailable
from core.ports.blob_store import LIST_PAGE_SIZE, BlobStore, is_valid_key

# DeleteObjects takes at most this many keys per request.
DELETE_BATCH = 1000
MISSING_KEY = {"NoSuchKey", "404"}
MISSING_BUCKET = {"NoSuchBucket"}
# Answers to CreateBucket that mean the bucket is there (made by a racing process).
ALREADY_THERE = {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


@contextmanager
def _guarded(action: str) -> Iterator[None]:
    """Driver failures (an error answer, no connection, a timeout) as Unavailable."""
    try:
        yield
    except ClientError as exc:
        raise Unavailable(f"S3 {action} failed ({_code(exc) or 'error'})") from exc
    except (BotoConnectionError, HTTPClientError) as exc:
        raise Unavailable(f"S3 unreachable during {action}") from exc


class S3BlobStore(BlobStore):
    """Each blob is one object of `bucket`, its content type the object's Content-Type.

    - URLs: with `public_url` (a CDN or public origin in front of the bucket), `url(key)` is
      that prefix, a slash and the key, stable for good. Without it, a presigned GET that
      expires after `presign_seconds`; a new signature each call (see the port).
    - A missing bucket holds nothing: reads and listings find nothing, deletes have nothing
      to do, and a write creates the bucket and retries once, so a new (or wiped) server
      needs no set-up step. `ensure_bucket` does the same up front (`chirp db upgrade`,
      readiness).
    - Requests are bounded by the client's timeouts and retries (adapters/s3/client.py).
    """

    def __init__(
        self, client: Any, bucket: str, *, public_url: str = "", presign_seconds: int = 900
    ) -> None:
        self._client = client
        self._bucket = bucket
        self._public_url = public_url.rstrip("/")
        self._presign_seconds = presign_seconds

    def ensure_bucket(self) -> str:
        """Create the bucket unless it exists; idempotent and safe when several processes
        race to create it (the loser's "already there" counts as done). What was done."""
        with _guarded("bucket check"):
            try:
                self._client.head_bucket(Bucket=self._bucket)
                return f"S3 bucket {self._bucket} ready"
            except ClientError as exc:
                if _code(exc) not in MISSING_KEY | MISSING_BUCKET:
                    raise
            self._create_bucket()
        return f"S3 bucket {self._bucket} created"

    def _create_bucket(self) -> None:
        region = self._client.meta.region_name
        options: dict[str, Any] = {}
        if region and region != "us-east-1":  # us-east-1 refuses its own name as a location
            options["CreateBucketConfiguration"] = {"LocationConstraint": region}
        try:
            self._client.create_bucket(Bucket=self._bucket, **options)
        except ClientError as exc:
            if _code(exc) not in ALREADY_THERE:
                raise
            # "Exists" may mean another account's bucket: only a working HEAD says it's ours.
            self._client.head_bucket(Bucket=self._bucket)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        if not is_valid_key(key):
            raise Invalid.on_field("key", "not a valid blob key")
        with _guarded("write"):
            try:
                self._put_object(key, data, content_type)
                return
            except ClientError as exc:
                if _code(exc) not in MISSING_BUCKET:
                    raise
            self.ensure_bucket()
            self._put_object(key, data, content_type)

    def _put_object(self, key: str, data: bytes, content_type: str) -> None:
        self._client.put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    def get(self, key: str) -> tuple[bytes, str] | None:
        if not is_valid_key(key):
            return None
        with _guarded("read"):
            try:
                found = self._client.get_object(Bucket=self._bucket, Key=key)
                return found["Body"].read(), str(found.get("ContentType", ""))
            except ClientError as exc:
                if _code(exc) in MISSING_KEY | MISSING_BUCKET:
                    return None
                raise

    def url(self, key: str) -> str:
        if self._public_url:
            return f"{self._public_url}/{key}"
        # Signing is local (no round trip); the client holds the credentials.
        return str(self._client.generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key},
            ExpiresIn=self._presign_seconds,
        ))  # fmt: skip

    def delete_many(self, keys: Sequence[str]) -> None:
        wanted = list(dict.fromkeys(k for k in keys if is_valid_key(k)))
        for first in range(0, len(wanted), DELETE_BATCH):
            batch = [{"Key": k} for k in wanted[first : first + DELETE_BATCH]]
            self._delete_batch(batch)

    def _delete_batch(self, batch: list[dict[str, str]]) -> None:
        with _guarded("delete"):
            try:
                answer = self._client.delete_objects(
                    Bucket=self._bucket, Delete={"Objects": batch, "Quiet": True}
                )
            except ClientError as exc:
                if _code(exc) in MISSING_BUCKET:
                    return
                raise
        # DeleteObjects answers 200 even when some keys failed; those come back as Errors.
        failed = answer.get("Errors") or []
        if failed:
            raise Unavailable(f"S3 delete failed for {len(failed)} of {len(batch)} blobs")

    def list_keys(
        self, prefix: str, older_than: datetime, page_size: int = LIST_PAGE_SIZE
    ) -> Iterator[list[str]]:
        pages = iter(self._client.get_paginator("list_objects_v2").paginate(
            Bucket=self._bucket, Prefix=prefix, PaginationConfig={"PageSize": page_size}
        ))  # fmt: skip
        while True:
            with _guarded("listing"):
                try:
                    page = next(pages, None)
                except ClientError as exc:
                    if _code(exc) in MISSING_BUCKET:
                        return
                    raise
            if page is None:
                return
            keys = [o["Key"] for o in page.get("Contents", []) if o["LastModified"] < older_than]
            if keys:
                yield keys
