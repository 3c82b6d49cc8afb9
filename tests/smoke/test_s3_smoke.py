"""Smoke test of the S3-compatible server started by `scripts/services up s3` (boto3).

Fails (never skips) when the server cannot be reached.
"""

from __future__ import annotations

import os
import urllib.request
import uuid
from typing import Any

import boto3
import pytest
from botocore.config import Config

pytestmark = pytest.mark.integration

ENDPOINT = os.environ.get(
    "CHIRP_S3_ENDPOINT", f"http://127.0.0.1:{os.environ.get('CHIRP_S3_PORT', '9000')}"
)
ACCESS_KEY = os.environ.get("CHIRP_S3_ACCESS_KEY", "chirp")
SECRET_KEY = os.environ.get("CHIRP_S3_SECRET_KEY", "chirpsecret")
REGION = os.environ.get("CHIRP_S3_REGION", "us-east-1")


def client() -> Any:
    s3 = boto3.client(
        "s3",
        endpoint_url=ENDPOINT,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(connect_timeout=5, read_timeout=30, retries={"max_attempts": 2}),
    )
    try:
        s3.list_buckets()
        return s3
    except Exception as exc:  # noqa: BLE001 - any failure means the server is unusable
        error = repr(exc)
    pytest.fail(
        f"S3 server not reachable at {ENDPOINT} ({error}); start it with: scripts/services up s3",
        pytrace=False,
    )


def empty_and_delete(s3: Any, bucket: str) -> None:
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for obj in page.get("Contents", []):
            s3.delete_object(Bucket=bucket, Key=obj["Key"])
    s3.delete_bucket(Bucket=bucket)


def test_an_uploaded_object_is_read_back_with_its_content_type() -> None:
    s3 = client()
    bucket = f"chirp-smoke-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    try:
        body = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8
        s3.put_object(Bucket=bucket, Key="media/1/avatar.png", Body=body, ContentType="image/png")

        got = s3.get_object(Bucket=bucket, Key="media/1/avatar.png")
        assert got["Body"].read() == body
        assert got["ContentType"] == "image/png"
        listed = s3.list_objects_v2(Bucket=bucket, Prefix="media/1/")
        assert [o["Key"] for o in listed["Contents"]] == ["media/1/avatar.png"]
    finally:
        empty_and_delete(s3, bucket)


def test_a_presigned_get_url_serves_the_object_without_credentials() -> None:
    s3 = client()
    bucket = f"chirp-smoke-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    try:
        body = "a tweet's attached text, ünïcode included".encode()
        s3.put_object(Bucket=bucket, Key="media/2/note.txt", Body=body, ContentType="text/plain")

        url = s3.generate_presigned_url(
            "get_object", Params={"Bucket": bucket, "Key": "media/2/note.txt"}, ExpiresIn=300
        )
        assert url.startswith(ENDPOINT)
        with urllib.request.urlopen(url, timeout=10) as resp:  # plain HTTP, no AWS signing
            assert resp.status == 200
            assert resp.read() == body
    finally:
        empty_and_delete(s3, bucket)
