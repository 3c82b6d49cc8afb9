"""Media: storing validated photos and avatars in the blob store."""

from __future__ import annotations

from collections.abc import Sequence

from core.domain.errors import Invalid
from core.domain.media import Image
from core.domain.tweets import MAX_PHOTOS, Photo
from core.ports.blob_store import BlobStore


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
            key = f"photos/{tweet_id}/{position}.{image.extension}"
            self._blobs.put(key, image.data, image.content_type)
            photos.append(Photo(key=key, content_type=image.content_type, position=position))
        return tuple(photos)

    def store_avatar(self, user_id: int, version: int, image: Image) -> str:
        key = f"avatars/{user_id}/{version}.{image.extension}"
        self._blobs.put(key, image.data, image.content_type)
        return key

    def delete(self, keys: Sequence[str]) -> None:
        if keys:
            self._blobs.delete_many(keys)
