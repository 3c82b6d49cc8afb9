"""LocalFolderBlobStore: photos and avatars as files under the data folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from core.domain.errors import Invalid, Unavailable
from core.ports.blob_store import BlobStore

TYPE_SUFFIX = ".type"


class LocalFolderBlobStore(BlobStore):
    """Each blob is a file (written atomically) with its content type beside it; served
    back by the HTTP layer under `base_url`."""

    def __init__(self, root: Path, base_url: str = "/media/") -> None:
        self._root = Path(root)
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"

    def _path(self, key: str) -> Path:
        if not key or "\x00" in key or ".." in Path(key).parts:
            raise Invalid.on_field("key", "not a valid blob key")
        path = (self._root / key).resolve()
        if self._root.resolve() not in path.parents:
            raise Invalid.on_field("key", "not a valid blob key")
        return path

    def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._write(path, data)
            self._write(path.with_name(path.name + TYPE_SUFFIX), content_type.encode())
        except OSError as exc:
            raise Unavailable("blob folder unavailable") from exc

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> tuple[bytes, str] | None:
        try:
            path = self._path(key)
        except Invalid:
            return None
        try:
            data = path.read_bytes()
            content_type = path.with_name(path.name + TYPE_SUFFIX).read_text()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise Unavailable("blob folder unavailable") from exc
        return data, content_type

    def url(self, key: str) -> str:
        return self._base_url + key

    def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            path = self._path(key)
            for victim in (path, path.with_name(path.name + TYPE_SUFFIX)):
                victim.unlink(missing_ok=True)
