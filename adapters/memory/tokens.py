"""In-memory session tokens, kept by hash."""

from __future__ import annotations

from datetime import datetime

from adapters.memory.database import Bound
from core.ports.token_store import TokenStore


class InMemoryTokenStore(Bound, TokenStore):
    """Token hashes with their user and expiry; a token is live strictly before expiry."""

    def add(self, token_hash: str, user_id: int, expires_at: datetime) -> None:
        self.db.tokens[token_hash] = (user_id, expires_at)

    def user_for(self, token_hash: str, now: datetime) -> int | None:
        record = self.db.tokens.get(token_hash)
        if record is None or record[1] <= now:
            return None
        return record[0]

    def remove(self, token_hash: str) -> None:
        self.db.tokens.pop(token_hash, None)

    def remove_all_for(self, user_id: int) -> None:
        tokens = self.db.tokens
        for token_hash in [h for h, (owner, _) in tokens.items() if owner == user_id]:
            del tokens[token_hash]

    def purge_expired(self, now: datetime) -> int:
        tokens = self.db.tokens
        expired = [h for h, (_, expires_at) in tokens.items() if expires_at <= now]
        for token_hash in expired:
            del tokens[token_hash]
        return len(expired)
