"""LocalFolderBlobStore: photos and avatars as files under the data folder."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path

from core.domain.errors import Invalid, Unavailable
from core.ports.blob_store import LIST_PAGE_SIZE, BlobStore, is_valid_key

TYPE_SUFFIX = ".type"
# What reading a key that names no stored blob fails with: nothing there, a folder, a file
# where a folder would be, or a name longer than the file system allows (NAME_MAX, PATH_MAX).
NOT_A_BLOB = frozenset({errno.ENOENT, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG})
TEMP_PREFIX = ".tmp-"


class LocalFolderBlobStore(BlobStore):
    """Each blob is a file (written atomically) with its content type beside it; served
    back by the HTTP layer under `base_url`."""

    def __init__(self, root: Path, base_url: str = "/media/") -> None:
        self._root = Path(root)
        self._base_url = base_url if base_url.endswith("/") else base_url + "/"

    def _path(self, key: str) -> Path:
        if not is_valid_key(key) or not _is_utf8(key):
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
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=TEMP_PREFIX)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)

    def get(self, key: str) -> tuple[bytes, str] | None:
        try:
            path = self._path(key)
            data = path.read_bytes()
            content_type = path.with_name(path.name + TYPE_SUFFIX).read_text()
        except Invalid:
            return None
        except OSError as exc:
            if exc.errno in NOT_A_BLOB:
                return None
            raise Unavailable("blob folder unavailable") from exc
        return data, content_type

    def url(self, key: str) -> str:
        return self._base_url + key

    def delete_many(self, keys: Sequence[str]) -> None:
        for key in keys:
            path = self._path(key)
            for victim in (path, path.with_name(path.name + TYPE_SUFFIX)):
                victim.unlink(missing_ok=True)

    def list_keys(
        self, prefix: str, older_than: datetime, page_size: int = LIST_PAGE_SIZE
    ) -> Iterator[list[str]]:
        folder = prefix.rpartition("/")[0]
        start = self._root / folder if is_valid_key(folder) else self._root
        try:
            found = self._stored_before(start, older_than.timestamp())
            keys = sorted(key for key in found if key.startswith(prefix))
        except OSError as exc:
            raise Unavailable("blob folder unavailable") from exc
        for first in range(0, len(keys), page_size):
            yield keys[first : first + page_size]

    def _stored_before(self, start: Path, moment: float) -> Iterator[str]:
        """Keys of the blob files under `start` last written before `moment` (type sidecars
        and unfinished temporary files are not blobs; a file deleted meanwhile is skipped)."""
        for folder, _, names in os.walk(start):
            for name in names:
                if name.endswith(TYPE_SUFFIX) or name.startswith(TEMP_PREFIX):
                    continue
                path = Path(folder, name)
                try:
                    written = path.stat().st_mtime
                except FileNotFoundError:
                    continue
                if written < moment:
                    yield path.relative_to(self._root).as_posix()


def _is_utf8(key: str) -> bool:
    """Whether `key` is text a file name can hold: a lone surrogate (from undecodable bytes)
    would otherwise fail deep inside the path functions, not as a missing blob."""
    try:
        key.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
