"""Feature gates: percentage gray release with allow and deny lists."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

from core.domain.errors import Invalid


@dataclass(frozen=True, slots=True, kw_only=True)
class Gate:
    """A named switch: open for `percent` of users, always for `allow`, never for `deny`."""

    name: str
    percent: int = 0
    allow: frozenset[int] = field(default_factory=frozenset)
    deny: frozenset[int] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.name or len(self.name) > 100:
            raise Invalid.on_field("name", "gate name must be 1-100 characters")
        if not 0 <= self.percent <= 100:
            raise Invalid.on_field("percent", "percent must be between 0 and 100")

    def bucket(self, user_id: int) -> int:
        """A user's stable bucket 0-99 for this gate (same user, same bucket, every time)."""
        return zlib.crc32(f"{self.name}:{user_id}".encode()) % 100

    def is_open_for(self, user_id: int) -> bool:
        if user_id in self.deny:
            return False
        if user_id in self.allow:
            return True
        return self.bucket(user_id) < self.percent
