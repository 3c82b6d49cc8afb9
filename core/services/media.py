"""Media: storing validated photos and avatars in the blob store."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import timedelta

from core.domain.errors import Invalid
from core.domain.media import Image
from core.domain.tweets import MAX_PHOTOS, Photo
from core.ports.blob_store import BlobStore
from core.ports.clock import Clock
from core.ports.unit_of_work import UnitOfWork

PHOTOS_PREFIX = "photos/"
AVATARS_PREFIX = "avatars/"
# How long an unnamed blob may wait for the row that will name it (see MediaSweeper).
SWEEP_GRACE = timedelta(hours=1)
SWEEP_PAGE_SIZE = 500


class MediaService:
    """Images in, keys out.

    - Images are checked by content (jpeg, png, gif, webp) and size (at most 5 MiB) before
      anything is stored.
    - Photo keys keep upload order; an avatar gets a fresh key each time, so caches and
      clients never see a stale image under an old URL.
    """

    def __init__(self, blobs: BlobStore) -> None:
        self._blobs = blobs

    @staticmethod
    def check_photos(uploads: Sequence[bytes]) -> list[Image]:
        if len(uploads) > MAX_PHOTOS:
            raise Invalid.on_field("files", f"a tweet has at most {MAX_PHOTOS} photos")
        return [Image.from_upload(data, "files") for data in uploads]

    def store_photos(self, tweet_id: int, images: Sequence[Image]) -> tuple[Photo, ...]:
        photos = []
        for position, image in enumerate(images):
            key = f"{PHOTOS_PREFIX}{tweet_id}/{position}.{image.extension}"
            self._blobs.put(key, image.data, image.content_type)
            photos.append(Photo(key=key, content_type=image.content_type, position=position))
        return tuple(photos)

    def store_avatar(self, user_id: int, version: int, image: Image) -> str:
        key = f"{AVATARS_PREFIX}{user_id}/{version}.{image.extension}"
        self._blobs.put(key, image.data, image.content_type)
        return key

    def delete(self, keys: Sequence[str]) -> None:
        if keys:
            self._blobs.delete_many(keys)


@dataclass(frozen=True, slots=True, kw_only=True)
class SweptPage:
    """One page of a sweep: how many blobs were looked at, and which no row names."""

    examined: int
    orphans: tuple[str, ...]
    deleted: bool


class MediaSweeper:
    """Finds (and on request deletes) photos and avatars that no tweet or profile names:
    left behind when a post or a profile change failed after its upload.

    - A blob is stored before the row that names it commits, so a young unnamed blob may be
      one whose row is on its way: only blobs older than `grace` (an hour) are candidates.
    - Keys are never reused (a tweet id, a fresh avatar version), so a blob that is past the
      grace and unnamed stays unnamed: deleting it cannot race with a row naming it.
    - A dry run by default: nothing is deleted unless `delete` is true.
    - Page by page (one listing call and two queries per page), so memory stays flat.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        blobs: BlobStore,
        clock: Clock,
        grace: timedelta = SWEEP_GRACE,
        page_size: int = SWEEP_PAGE_SIZE,
    ) -> None:
        self._uow_factory = uow_factory
        self._blobs = blobs
        self._clock = clock
        self._grace = grace
        self._page_size = page_size

    def sweep(self, *, delete: bool = False) -> Iterator[SweptPage]:
        """The sweep, one page at a time; lazy: a page is examined (and with `delete`
        cleaned) when it is drawn, so draw them all."""
        older_than = self._clock.now() - self._grace
        for prefix in (PHOTOS_PREFIX, AVATARS_PREFIX):
            for keys in self._blobs.list_keys(prefix, older_than, self._page_size):
                orphans = self._unnamed(keys)
                if delete and orphans:
                    self._blobs.delete_many(orphans)
                yield SweptPage(examined=len(keys), orphans=tuple(orphans), deleted=delete)

    def _unnamed(self, keys: Sequence[str]) -> list[str]:
        with self._uow_factory() as uow:
            named = uow.tweets.named_photo_keys(keys) | uow.profiles.named_avatar_keys(keys)
        return [key for key in keys if key not in named]
