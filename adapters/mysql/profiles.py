"""SqlProfileRepository: nicknames and avatars in the `profiles` table."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from adapters.mysql import rows
from adapters.mysql.base import HotSelect, SqlStore
from adapters.mysql.tables import profiles
from core.domain.users import Profile
from core.ports.profile_repository import ProfileRepository

# Every page reads its authors' profiles by id: on the cursor (see HotSelect).
_BY_IDS = HotSelect(
    "SELECT user_id, nickname, avatar_key, created_at, updated_at"
    " FROM profiles WHERE user_id IN ({ids})",
    ("user_id", "nickname", "avatar_key", "created_at", "updated_at"),
)


class SqlProfileRepository(SqlStore, ProfileRepository):
    """Profiles keyed by user id."""

    def add(self, profile: Profile) -> None:
        self._run(sa.insert(profiles).values(rows.profile_values(profile)))

    def get(self, user_id: int) -> Profile | None:
        found = self._hot(_BY_IDS, [user_id], 1)
        return rows.profile_from(found[0]) if found else None

    def get_many(self, user_ids: Sequence[int]) -> list[Profile]:
        if not user_ids:
            return []
        wanted = list(set(user_ids))
        found = {r.user_id: rows.profile_from(r) for r in self._hot(_BY_IDS, wanted, len(wanted))}
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
