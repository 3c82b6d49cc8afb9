"""SqlTokenStore: login sessions as hashes in the `tokens` table."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa

from adapters.mysql.base import SqlStore
from adapters.mysql.tables import tokens
from core.ports.token_store import TokenStore


class SqlTokenStore(SqlStore, TokenStore):
    """Token hashes with their user and expiry; an expired row is simply never matched."""

    def add(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        self._run(sa.insert(tokens).values(hash=token_hash, user_id=user_id, expires_at=expires_at))

    def user_for(self, token_hash: str, now: datetime) -> int | None:
        stmt = sa.select(tokens.c.user_id).where(
            tokens.c.hash == token_hash, tokens.c.expires_at > now
        )
        found = self._column(stmt)
        return found[0] if found else None

    def remove(self, token_hash: str) -> None:
        self._run(sa.delete(tokens).where(tokens.c.hash == token_hash))

    def remove_all_for(self, user_id: int) -> None:
        self._run(sa.delete(tokens).where(tokens.c.user_id == user_id))

    def purge_expired(self, now: datetime) -> int:
        # By the expires_at index: a scan would lock every session row on InnoDB while it
        # ran, holding up logins; the index costs one more entry per login.
        return int(self._run(sa.delete(tokens).where(tokens.c.expires_at <= now)).rowcount)
