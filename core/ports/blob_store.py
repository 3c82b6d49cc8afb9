"""BlobStore port: photos and avatars."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol

LIST_PAGE_SIZE = 1000


def is_valid_key(key: str) -> bool:
    """Whether `key` may name a blob: non-empty, relative, no NUL byte, no `..` segment (a
    key is joined to paths and URLs, where those would climb out of the store)."""
    if not key or key.startswith("/") or "\x00" in key:
        return False
    return ".." not in key.split("/")


class BlobStore(Protocol):
    """Bytes by key, served back at a URL. Not part of the unit of work. A down store raises
    Unavailable.

    A key is `/`-separated segments; one that fails `is_valid_key` is never stored: `put`
    raises Invalid, `get` gives None."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store (or overwrite) a blob; idempotent."""

    @abstractmethod
    def get(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and content type, or None for a missing key."""

    @abstractmethod
    def url(self, key: str) -> str:
        """Where a client fetches the blob, computed without a round trip.

        Stores that serve under a fixed base (memory, local folder, S3 behind a public
        prefix) give the same URL every time, valid for as long as the blob exists. A store
        that presigns (S3 without a public prefix) gives a URL that expires after a
        configured lifetime and may differ from call to call: callers must not cache it
        longer than that, nor compare two URLs of one key."""

    @abstractmethod
    def delete_many(self, keys: Sequence[str]) -> None:
        """Remove blobs (missing ones are fine)."""

    @abstractmethod
    def list_keys(
        self, prefix: str, older_than: datetime, page_size: int = LIST_PAGE_SIZE
    ) -> Iterator[list[str]]:
        """Keys starting with `prefix` whose blob was last written before `older_than`, in
        ascending order, as non-empty pages of at most `page_size` keys; a page costs one
        round trip. Lazy: a blob written or deleted during the listing may or may not be
        seen."""
