"""Images as uploaded: type sniffed from content, size bounded."""

from __future__ import annotations

from dataclasses import dataclass

from core.domain.errors import Invalid, TooLarge

MAX_IMAGE_BYTES = 5 * 1024 * 1024
EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/gif": "gif", "image/webp": "webp"}


def sniff_image_type(data: bytes) -> str | None:
    """The image type the bytes really are (jpeg, png, gif, webp), whatever the name says."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass(frozen=True, slots=True, kw_only=True)
class Image:
    """Validated image bytes with their real content type."""

    data: bytes
    content_type: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.content_type]

    @classmethod
    def from_upload(cls, data: bytes, field: str) -> Image:
        if len(data) > MAX_IMAGE_BYTES:
            raise TooLarge(f"{field} is larger than 5 MiB", {field: ["larger than 5 MiB"]})
        content_type = sniff_image_type(data)
        if content_type is None:
            raise Invalid.on_field(field, "file is not a jpeg, png, gif or webp image")
        return cls(data=data, content_type=content_type)
