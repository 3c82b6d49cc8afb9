"""Tweets and their photos."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from core.domain.errors import Invalid

CONTENT_MIN, CONTENT_MAX = 6, 140
MAX_PHOTOS = 9


def trimmed_text(raw: str, low: int, high: int) -> str:
    """Post text as stored: trimmed, `low` to `high` characters, else Invalid on `content`."""
    if not isinstance(raw, str):
        raise Invalid.on_field("content", "content must be text")
    text = raw.strip()
    if not low <= len(text) <= high:
        raise Invalid.on_field("content", f"content must be {low}-{high} characters")
    return text


def clean_content(raw: str) -> str:
    """Tweet text as stored: trimmed, 6-140 characters."""
    return trimmed_text(raw, CONTENT_MIN, CONTENT_MAX)


@dataclass(frozen=True, slots=True, kw_only=True)
class Photo:
    """One stored image of a tweet; `position` is its upload order from 0."""

    key: str
    content_type: str
    position: int


@dataclass(slots=True, kw_only=True)
class Tweet:
    """A post. Counts are kept exact by the store; the text is checked when built."""

    id: int
    user_id: int
    content: str
    created_at: datetime
    edited_at: datetime | None = None
    photos: tuple[Photo, ...] = field(default_factory=tuple)
    likes_count: int = 0
    comments_count: int = 0

    def __post_init__(self) -> None:
        self.content = clean_content(self.content)
        if len(self.photos) > MAX_PHOTOS:
            raise Invalid.on_field("files", f"a tweet has at most {MAX_PHOTOS} photos")

    def edit(self, content: str, now: datetime) -> None:
        self.content = clean_content(content)
        self.edited_at = now
