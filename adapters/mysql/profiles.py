"""SqlProfileRepository: nicknames and avatars in the `profiles` table."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import SqlStore
from adapters.mysql.tables import profiles
from core.domain.users import Profile
from core.ports.profile_repository import ProfileRepository

# Built once, so SQLAlchemy reuses its cache key and compiled form on every page.
_BY_IDS = sa.select(profiles).where(profiles.c.user_id.in_(sa.bindparam("ids", expanding=True)))


class SqlProfileRepository(SqlStore, ProfileRepository):
    """Profiles keyed by user id."""

    def add(self, profile: Profile) -> None:
        self._run(sa.insert(profiles).values(rows.profile_values(profile)))

    def get(self, user_id: int) -> Profile | None:
        row = self._first(sa.select(profiles).where(profiles.c.user_id == user_id))
        return rows.profile_from(row) if row else None

    def get_many(self, user_ids: Sequence[int]) -> list[Profile]:
        if not user_ids:
            return []
        found = {
            r.user_id: rows.profile_from(r)
            for r in self._rows(_BY_IDS, {"ids": list(set(user_ids))})
        }
        return [found[i] for i in dict.fromkeys(user_ids) if i in found]

    def update(self, profile: Profile) -> None:
        self._run(
            sa.update(profiles)
            .where(profiles.c.user_id == profile.user_id)
            .values(
                nickname=profile.nickname,
                avatar_key=profile.avatar_key,
                updated_at=profile.updated_at,
            )
        )

    def named_avatar_keys(self, keys: Sequence[str]) -> set[str]:
        wanted = set(keys)
        if not wanted:
            return set()
        stmt = sa.select(profiles.c.avatar_key).where(profiles.c.avatar_key.in_(wanted))
        # The column compares case-insensitively on MariaDB: keep only exact matches.
        return set(self._column(stmt)) & wanted
