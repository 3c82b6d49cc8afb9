"""Contract of BlobStore: bytes and their content type by key, served at a URL."""

from __future__ import annotations

import pytest

from adapters.memory import InMemoryBlobStore
from core.domain.errors import Unavailable
from core.ports.blob_store import BlobStore

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256))


def test_a_stored_blob_reads_back_with_its_content_type(blob_store: BlobStore) -> None:
    blob_store.put("tweets/1/0.png", PNG, "image/png")
    assert blob_store.get("tweets/1/0.png") == (PNG, "image/png")


def test_a_missing_blob_gives_none(blob_store: BlobStore) -> None:
    assert blob_store.get("tweets/404/0.png") is None


def test_putting_a_key_again_overwrites_it(blob_store: BlobStore) -> None:
    blob_store.put("avatars/1.png", PNG, "image/png")
    blob_store.put("avatars/1.png", b"GIF89a-new", "image/gif")
    assert blob_store.get("avatars/1.png") == (b"GIF89a-new", "image/gif")


def test_delete_many_removes_blobs_and_ignores_missing_ones(blob_store: BlobStore) -> None:
    blob_store.put("a/1.png", PNG, "image/png")
    blob_store.put("a/2.png", PNG, "image/png")
    blob_store.delete_many(["a/1.png", "a/never.png"])
    blob_store.delete_many([])
    assert blob_store.get("a/1.png") is None
    assert blob_store.get("a/2.png") == (PNG, "image/png")


def test_url_names_the_key_and_differs_per_key(blob_store: BlobStore) -> None:
    first, second = blob_store.url("tweets/1/0.png"), blob_store.url("tweets/1/1.png")
    assert first.endswith("tweets/1/0.png")
    assert first != second


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


@pytest.mark.parametrize("key", ["../escape.png", "a/../../escape.png", "nul\x00byte.png"])
def test_a_key_that_could_escape_the_store_reads_as_missing(blob_store: BlobStore,
                                                            key: str) -> None:
    assert blob_store.get(key) is None
