"""InMemoryBlobStore: bytes by key with URLs under a base."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.memory.switch import Switch
from core.ports.blob_store import BlobStore


class InMemoryBlobStore(Switch, BlobStore):
    """Blobs in a dict; `url` is `base_url/key`, computed without touching the store."""

    def __init__(self, base_url: str = "/media") -> None:
        super().__init__()
        self._base_url = base_url.rstrip("/")
        self._blobs: dict[str, tuple[bytes, str]] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self.check()
        self._blobs[key] = (bytes(data), content_type)

    def get(self, key: str) -> tuple[bytes, str] | None:
        self.check()
        return self._blobs.get(key)

    def url(self, key: str) -> str:
        return f"{self._base_url}/{key}"

    def delete_many(self, keys: Sequence[str]) -> None:
        self.check()
        for key in keys:
            self._blobs.pop(key, None)
