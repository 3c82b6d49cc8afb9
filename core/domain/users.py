"""Users and profiles: who posts, with the rules their names and passwords follow."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from core.domain.errors import Invalid

USERNAME_RE = re.compile(r"^[A-Za-z0-9_]{6,20}$")
EMAIL_RE = re.compile(
    r"^[^@\s]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
PASSWORD_MIN, PASSWORD_MAX = 6, 128
NICKNAME_MAX = 200


def normalize_username(raw: str) -> str:
    """A username as stored: validated and lower-cased."""
    if not isinstance(raw, str) or not USERNAME_RE.match(raw):
        raise Invalid.on_field(
            "username", "username must be 6-20 ASCII letters, digits or underscores"
        )
    return raw.lower()


def normalize_email(raw: str) -> str:
    """An email as stored: validated and lower-cased."""
    if not isinstance(raw, str) or len(raw) > 254 or not EMAIL_RE.match(raw):
        raise Invalid.on_field("email", "email is not a valid address")
    return raw.lower()


def check_password(raw: str) -> str:
    """A password that may be hashed: 6-128 characters."""
    if not isinstance(raw, str) or not PASSWORD_MIN <= len(raw) <= PASSWORD_MAX:
        raise Invalid.on_field("password", "password must be 6-128 characters")
    return raw


@dataclass(slots=True, kw_only=True)
class User:
    """An account. Username and email are stored lower-case."""

    id: int
    username: str
    email: str
    password_hash: str
    is_admin: bool = False
    is_active: bool = True
    created_at: datetime

    def deactivate(self) -> None:
        self.is_active = False


@dataclass(slots=True, kw_only=True)
class Profile:
    """A user's public face; its id is the user's id."""

    user_id: int
    nickname: str | None = None
    avatar_key: str | None = None
    created_at: datetime
    updated_at: datetime

    def rename(self, nickname: str | None, now: datetime) -> None:
        if nickname is not None:
            nickname = nickname.strip() or None
        if nickname is not None and len(nickname) > NICKNAME_MAX:
            raise Invalid.on_field("nickname", "nickname must be at most 200 characters")
        self.nickname = nickname
        self.updated_at = now

    def change_avatar(self, key: str, now: datetime) -> None:
        self.avatar_key = key
        self.updated_at = now


@dataclass(frozen=True, slots=True, kw_only=True)
class UserSummary:
    """The small user shape embedded wherever a user appears."""

    id: int
    username: str
    nickname: str | None
    avatar_url: str | None


def copy_user(user: User) -> User:
    """A detached copy, so a cache or fake never shares mutable state with a caller."""
    return replace(user)
