"""In-memory accounts and profiles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from adapters.memory.database import Bound, copied, in_window
from core.domain.errors import Conflict
from core.domain.paging import Window
from core.domain.users import Profile, User
from core.ports.profile_repository import ProfileRepository
from core.ports.user_repository import UserRepository


class InMemoryUserRepository(Bound, UserRepository):
    """Users by id; usernames and emails unique like the SQL table's unique indexes."""

    def add(self, user: User) -> None:
        users = self.db.users
        if any(u.username == user.username for u in users.values()):
            raise Conflict.on_field("username", "username is taken")
        if any(u.email == user.email for u in users.values()):
            raise Conflict.on_field("email", "email is taken")
        if user.id in users:
            raise Conflict.on_field("id", "user id is taken")
        users[user.id] = copied(user)

    def get(self, user_id: int) -> User | None:
        user = self.db.users.get(user_id)
        return copied(user) if user else None

    def get_by_username(self, username: str) -> User | None:
        found = (u for u in self.db.users.values() if u.username == username)
        user = next(found, None)
        return copied(user) if user else None

    def get_many(self, user_ids: Sequence[int]) -> list[User]:
        users = self.db.users
        wanted = dict.fromkeys(i for i in user_ids if i in users)
        return [copied(users[i]) for i in wanted]

    def update(self, user: User) -> None:
        users = self.db.users
        stored = users.get(user.id)
        if stored is None:
            return  # like an SQL UPDATE that matches no row
        users[user.id] = replace(stored, is_active=user.is_active, is_admin=user.is_admin)

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        users = self.db.users
        if user_id in users:
            users[user_id] = replace(users[user_id], password_hash=password_hash)

    def list_all(self, window: Window) -> list[User]:
        return in_window(self.db.users.values(), lambda u: u.id, window)

    def set_celebrity(self, user_id: int, celebrity: bool) -> None:
        if celebrity:
            self.db.celebrities.add(user_id)
        else:
            self.db.celebrities.discard(user_id)

    def celebrity_ids(self) -> list[int]:
        return sorted(self.db.celebrities)


class InMemoryProfileRepository(Bound, ProfileRepository):
    """Profiles keyed by user id."""

    def add(self, profile: Profile) -> None:
        if profile.user_id in self.db.profiles:
            raise Conflict.on_field("user_id", "profile exists")
        self.db.profiles[profile.user_id] = copied(profile)

    def get(self, user_id: int) -> Profile | None:
        profile = self.db.profiles.get(user_id)
        return copied(profile) if profile else None

    def get_many(self, user_ids: Sequence[int]) -> list[Profile]:
        profiles = self.db.profiles
        wanted = dict.fromkeys(i for i in user_ids if i in profiles)
        return [copied(profiles[i]) for i in wanted]

    def update(self, profile: Profile) -> None:
        stored = self.db.profiles.get(profile.user_id)
        if stored is None:
            return  # like an SQL UPDATE that matches no row
        self.db.profiles[profile.user_id] = replace(
            stored,
            nickname=profile.nickname,
            avatar_key=profile.avatar_key,
            updated_at=profile.updated_at,
        )

    def named_avatar_keys(self, keys: Sequence[str]) -> set[str]:
        named = {p.avatar_key for p in self.db.profiles.values() if p.avatar_key}
        return named.intersection(keys)
