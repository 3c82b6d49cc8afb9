"""BlobStore port: photos and avatars."""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Sequence
from typing import Protocol


class BlobStore(Protocol):
    """Bytes by key, served back at a URL. Not part of the unit of work. A down store raises
    Unavailable."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store (or overwrite) a blob."""

    @abstractmethod
    def get(self, key: str) -> tuple[bytes, str] | None:
        """The bytes and content type, or None."""

    @abstractmethod
    def url(self, key: str) -> str:
        """Where a client fetches the blob (no round trip)."""

    @abstractmethod
    def delete_many(self, keys: Sequence[str]) -> None:
        """Remove blobs (missing ones are fine)."""
