"""SqlUserRepository: accounts in the `users` table."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from adapters.mysql import rows
from adapters.mysql.base import HotSelect, SqlStore, windowed
from adapters.mysql.tables import users
from core.domain.errors import Conflict
from core.domain.paging import Window
from core.domain.users import User
from core.ports.user_repository import UserRepository


def _taken_field(exc: sa_exc.IntegrityError) -> str | None:
    """Which unique field a duplicate-key error is about, from the driver's message.

    MySQL names the key after "for key" ('uq_users_email'); SQLite names the column after
    "failed:" (users.email). Only that tail is read: the duplicate value itself may contain
    the word "email".
    """
    text = str(exc.orig)
    marker = "for key" if "for key" in text else "failed:"
    tail = text.rsplit(marker, 1)[-1]
    for field in ("email", "username"):
        if field in tail:
            return field
    return None


# Every page reads its users by id: on the cursor (see HotSelect).
_BY_IDS = HotSelect(
    "SELECT id, username, email, password_hash, is_admin, is_active, created_at"
    " FROM users WHERE id IN ({ids})",
    ("id", "username", "email", "password_hash", "is_admin", "is_active", "created_at"),
)


class SqlUserRepository(SqlStore, UserRepository):
    """Users by id and username; the celebrity flag lives on the row."""

    def add(self, user: User) -> None:
        try:
            self._run(sa.insert(users).values(rows.user_values(user)))
        except sa_exc.IntegrityError as exc:
            field = _taken_field(exc)
            if field is None:
                raise
            raise Conflict.on_field(field, f"{field} is already taken") from exc

    def get(self, user_id: int) -> User | None:
        found = self._hot(_BY_IDS, [user_id], 1)
        return rows.user_from(found[0]) if found else None

    def get_by_username(self, username: str) -> User | None:
        row = self._first(sa.select(users).where(users.c.username == username))
        return rows.user_from(row) if row else None

    def get_many(self, user_ids: Sequence[int]) -> list[User]:
        wanted = list(dict.fromkeys(user_ids))
        if not wanted:
            return []
        found = {r.id: rows.user_from(r) for r in self._hot(_BY_IDS, wanted, len(wanted))}
        return [found[i] for i in wanted if i in found]

    def update(self, user: User) -> None:
        self._run(
            sa.update(users)
            .where(users.c.id == user.id)
            .values(is_active=user.is_active, is_admin=user.is_admin)
        )

    def set_password_hash(self, user_id: int, password_hash: str) -> None:
        self._run(sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash))

    def list_all(self, window: Window) -> list[User]:
        stmt = windowed(sa.select(users), users.c.id, window)
        return [rows.user_from(r) for r in self._rows(stmt)]

    def set_celebrity(self, user_id: int, celebrity: bool) -> None:
        self._run(sa.update(users).where(users.c.id == user_id).values(is_celebrity=celebrity))

    def celebrity_ids(self) -> list[int]:
        stmt = sa.select(users.c.id).where(users.c.is_celebrity == sa.true()).order_by(users.c.id)
        return self._column(stmt)
