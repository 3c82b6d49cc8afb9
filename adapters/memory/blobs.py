"""InMemoryBlobStore: bytes by key with URLs under a base."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime

from adapters.memory.clock import FakeClock
from adapters.memory.switch import Switch
from core.domain.errors import Invalid
from core.ports.blob_store import LIST_PAGE_SIZE, BlobStore, is_valid_key
from core.ports.clock import Clock


class InMemoryBlobStore(Switch, BlobStore):
    """Blobs in a dict; `url` is `base_url/key`, computed without touching the store. A blob
    is as old as `clock` says since its last `put` (a clock of its own that stands still
    unless one is given: share the harness's clock to age blobs)."""

    def __init__(self, base_url: str = "/media", clock: Clock | None = None) -> None:
        super().__init__()
        self._base_url = base_url.rstrip("/")
        self._clock = clock if clock is not None else FakeClock()
        self._blobs: dict[str, tuple[bytes, str]] = {}
        self._written: dict[str, datetime] = {}

    def put(self, key: str, data: bytes, content_type: str) -> None:
        self._interleave("put")
        self.check()
        if not is_valid_key(key):
            raise Invalid.on_field("key", "not a valid blob key")
        self._blobs[key] = (bytes(data), content_type)
        self._written[key] = self._clock.now()

    def get(self, key: str) -> tuple[bytes, str] | None:
        self.check()
        return self._blobs.get(key)

    def url(self, key: str) -> str:
        return f"{self._base_url}/{key}"

    def delete_many(self, keys: Sequence[str]) -> None:
        self.check()
        for key in keys:
            self._blobs.pop(key, None)
            self._written.pop(key, None)

    def list_keys(
        self, prefix: str, older_than: datetime, page_size: int = LIST_PAGE_SIZE
    ) -> Iterator[list[str]]:
        self.check()
        keys = sorted(k for k, at in self._written.items()
                      if k.startswith(prefix) and at < older_than)  # fmt: skip
        for start in range(0, len(keys), page_size):
            yield keys[start : start + page_size]
