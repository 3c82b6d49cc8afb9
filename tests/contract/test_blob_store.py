"""Contract of BlobStore: bytes and their content type by key, served at a URL, listed by age."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from adapters.memory import FakeClock, InMemoryBlobStore
from adapters.s3.client import make_s3_client
from adapters.s3.s3_blob_store import S3BlobStore
from core.domain.errors import Invalid, Unavailable
from core.ports.blob_store import BlobStore

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
HOUR = timedelta(hours=1)


def later() -> datetime:
    """A moment after every blob a test stored (blobs age by the wall clock here)."""
    return datetime.now(UTC) + HOUR


def listed(
    store: BlobStore, prefix: str, older_than: datetime, page_size: int = 1000
) -> list[list[str]]:
    return list(store.list_keys(prefix, older_than, page_size))


def test_a_stored_blob_reads_back_with_its_content_type(blob_store: BlobStore) -> None:
    blob_store.put("tweets/1/0.png", PNG, "image/png")
    assert blob_store.get("tweets/1/0.png") == (PNG, "image/png")


@pytest.mark.parametrize("content_type", ["image/jpeg", "image/webp", "application/octet-stream"])
def test_the_content_type_comes_back_as_it_was_given(
    blob_store: BlobStore, content_type: str
) -> None:
    blob_store.put("photos/7/0.bin", b"\x00\x01 bytes \xff", content_type)
    assert blob_store.get("photos/7/0.bin") == (b"\x00\x01 bytes \xff", content_type)


def test_a_missing_blob_gives_none(blob_store: BlobStore) -> None:
    assert blob_store.get("tweets/404/0.png") is None


def test_putting_a_key_again_overwrites_it(blob_store: BlobStore) -> None:
    blob_store.put("avatars/1.png", PNG, "image/png")
    blob_store.put("avatars/1.png", b"GIF89a-new", "image/gif")
    assert blob_store.get("avatars/1.png") == (b"GIF89a-new", "image/gif")


def test_keys_with_many_slashes_are_separate_blobs(blob_store: BlobStore) -> None:
    blob_store.put("photos/1/2/3.png", PNG, "image/png")
    blob_store.put("photos/1/23.png", b"GIF89a", "image/gif")
    assert blob_store.get("photos/1/2/3.png") == (PNG, "image/png")
    assert blob_store.get("photos/1/23.png") == (b"GIF89a", "image/gif")
    assert blob_store.get("photos/1/2") is None


def test_delete_many_removes_blobs_and_ignores_missing_ones(blob_store: BlobStore) -> None:
    blob_store.put("a/1.png", PNG, "image/png")
    blob_store.put("a/2.png", PNG, "image/png")
    blob_store.delete_many(["a/1.png", "a/never.png"])
    blob_store.delete_many([])
    assert blob_store.get("a/1.png") is None
    assert blob_store.get("a/2.png") == (PNG, "image/png")


def test_deleting_keys_that_were_never_stored_is_harmless(blob_store: BlobStore) -> None:
    blob_store.delete_many(["photos/404/0.png", "avatars/404/1.png"])
    blob_store.delete_many(["photos/404/0.png"])
    assert blob_store.get("photos/404/0.png") is None


def test_url_names_the_key_and_differs_per_key(blob_store: BlobStore) -> None:
    first, second = blob_store.url("tweets/1/0.png"), blob_store.url("tweets/1/1.png")
    assert urlsplit(first).path.endswith("/tweets/1/0.png")
    assert first != second


@pytest.mark.parametrize(
    "key", ["../escape.png", "a/../../escape.png", "nul\x00byte.png", "/absolute.png", ""]
)
def test_a_key_that_could_escape_the_store_is_refused(blob_store: BlobStore, key: str) -> None:
    with pytest.raises(Invalid):
        blob_store.put(key, PNG, "image/png")
    assert blob_store.get(key) is None


def test_listing_gives_the_keys_under_a_prefix_in_order(blob_store: BlobStore) -> None:
    for key in [
        "photos/2/0.png",
        "photos/10/1.png",
        "photos/10/0.png",
        "avatars/1/5.png",
        "photosynthesis/0.png",
    ]:
        blob_store.put(key, PNG, "image/png")
    assert listed(blob_store, "photos/", later()) == [
        ["photos/10/0.png", "photos/10/1.png", "photos/2/0.png"]
    ]
    assert listed(blob_store, "photos/1", later()) == [["photos/10/0.png", "photos/10/1.png"]]
    assert listed(blob_store, "avatars/", later()) == [["avatars/1/5.png"]]


def test_listing_comes_in_pages_of_at_most_the_page_size(blob_store: BlobStore) -> None:
    keys = [f"photos/{n}/0.png" for n in range(5)]
    for key in keys:
        blob_store.put(key, PNG, "image/png")
    pages = listed(blob_store, "photos/", later(), page_size=2)
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [key for page in pages for key in page] == sorted(keys)


def test_listing_leaves_out_blobs_written_after_the_cutoff(blob_store: BlobStore) -> None:
    blob_store.put("photos/1/0.png", PNG, "image/png")
    assert listed(blob_store, "photos/", datetime.now(UTC) - HOUR) == []
    assert listed(blob_store, "photos/", later()) == [["photos/1/0.png"]]


def test_listing_an_empty_prefix_or_deleted_blobs_gives_no_pages(blob_store: BlobStore) -> None:
    assert listed(blob_store, "photos/", later()) == []
    blob_store.put("photos/1/0.png", PNG, "image/png")
    blob_store.delete_many(["photos/1/0.png"])
    assert listed(blob_store, "photos/", later()) == []


def test_memory_blob_store_urls_sit_under_its_base_url() -> None:
    store = InMemoryBlobStore(base_url="https://cdn.example.com/media/")
    assert store.url("avatars/7.png") == "https://cdn.example.com/media/avatars/7.png"


def test_memory_blob_store_switched_off_raises_unavailable() -> None:
    store = InMemoryBlobStore()
    store.available = False
    with pytest.raises(Unavailable):
        store.put("k", PNG, "image/png")
    with pytest.raises(Unavailable):
        store.get("k")
    with pytest.raises(Unavailable):
        list(store.list_keys("", later()))


def test_memory_blob_store_ages_a_blob_from_its_last_write() -> None:
    clock = FakeClock()
    store = InMemoryBlobStore(clock=clock)
    store.put("photos/1/0.png", PNG, "image/png")
    store.put("photos/2/0.png", PNG, "image/png")
    clock.advance(seconds=7200)
    store.put("photos/2/0.png", PNG, "image/png")
    assert listed(store, "photos/", clock.now() - HOUR) == [["photos/1/0.png"]]


# S3 only: what the other stores have no counterpart for.


@pytest.fixture
def s3_store() -> Iterator[S3BlobStore]:
    from tests.contract.blob_backends import fresh_s3_store

    with fresh_s3_store() as store:
        yield store


@pytest.fixture
def s3_client() -> Iterator[Any]:
    from tests.contract.blob_backends import s3_client

    client = s3_client()
    yield client
    client.close()


def unreachable_client() -> Any:
    """A client on a port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return make_s3_client(
        endpoint_url=f"http://127.0.0.1:{port}",
        region="us-east-1",
        access_key="chirp",
        secret_key="chirpsecret",
    )


@pytest.mark.integration
def test_a_presigned_url_fetches_the_bytes_with_their_type(s3_store: S3BlobStore) -> None:
    s3_store.put("photos/9/0 a+b.png", PNG, "image/png")
    url = s3_store.url("photos/9/0 a+b.png")
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=60" in url
    with urllib.request.urlopen(url, timeout=5) as answer:
        assert answer.read() == PNG
        assert answer.headers["Content-Type"] == "image/png"


def test_a_presigned_url_is_made_without_asking_the_server() -> None:
    store = S3BlobStore(unreachable_client(), "chirp-media", presign_seconds=900)
    url = store.url("avatars/1/2.png")
    assert urlsplit(url).path == "/chirp-media/avatars/1/2.png"
    assert "X-Amz-Expires=900" in url


def test_with_a_public_prefix_the_url_is_the_prefix_and_the_key() -> None:
    store = S3BlobStore(
        unreachable_client(), "chirp-media", public_url="https://cdn.example.com/media/"
    )
    assert store.url("photos/1/0.png") == "https://cdn.example.com/media/photos/1/0.png"
    assert store.url("photos/1/0.png") == store.url("photos/1/0.png")


@pytest.mark.integration
def test_a_missing_bucket_reads_as_empty_and_the_first_write_creates_it(s3_client: Any) -> None:
    from tests.contract.blob_backends import fresh_bucket_name, remove_bucket

    store = S3BlobStore(s3_client, fresh_bucket_name())
    try:
        assert store.get("photos/1/0.png") is None
        assert listed(store, "photos/", later()) == []
        store.delete_many(["photos/1/0.png"])
        store.put("photos/1/0.png", PNG, "image/png")
        assert store.get("photos/1/0.png") == (PNG, "image/png")
    finally:
        remove_bucket(s3_client, store._bucket)


@pytest.mark.integration
def test_ensure_bucket_is_idempotent_even_when_another_process_creates_it_first(
    s3_client: Any,
) -> None:
    from tests.contract.blob_backends import fresh_bucket_name, remove_bucket
    from tests.contract.blob_backends import s3_client as other_client

    bucket = fresh_bucket_name()
    rival = other_client()

    def rival_creates_it(**_: object) -> None:  # None: our own call then goes ahead
        rival.create_bucket(Bucket=bucket)

    # The bad interleaving: our HEAD saw no bucket, then a rival created it before our create.
    s3_client.meta.events.register_first("before-call.s3.CreateBucket", rival_creates_it)
    store = S3BlobStore(s3_client, bucket)
    try:
        assert store.ensure_bucket() == f"S3 bucket {bucket} created"
        assert store.ensure_bucket() == f"S3 bucket {bucket} ready"
        store.put("photos/1/0.png", PNG, "image/png")
        assert store.get("photos/1/0.png") == (PNG, "image/png")
    finally:
        remove_bucket(rival, bucket)
        rival.close()


def test_an_unreachable_server_is_unavailable_for_every_round_trip() -> None:
    store = S3BlobStore(unreachable_client(), "chirp-media")
    with pytest.raises(Unavailable):
        store.put("photos/1/0.png", PNG, "image/png")
    with pytest.raises(Unavailable):
        store.get("photos/1/0.png")
    with pytest.raises(Unavailable):
        store.delete_many(["photos/1/0.png"])
    with pytest.raises(Unavailable):
        listed(store, "photos/", later())
    with pytest.raises(Unavailable):
        store.ensure_bucket()


@pytest.mark.integration
def test_an_error_answer_from_s3_is_unavailable(s3_client: Any) -> None:
    # S3 refuses two-letter bucket names: the write's attempt to create it fails.
    store = S3BlobStore(s3_client, "ab")
    with pytest.raises(Unavailable, match="InvalidBucketName"):
        store.put("photos/1/0.png", PNG, "image/png")
