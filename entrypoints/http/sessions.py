"""A per-process cache of whom a token belongs to, kept a few seconds to spare the store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from core.domain.users import User

TTL_SECONDS = 5.0
MAX_ENTRIES = 10_000


class SessionCache:
    """Authenticated users by token hash, each kept `ttl` seconds in this process.

    Rules (the store stays the truth; this only delays what another process changed):
    - Only a successful authentication is kept; a refused token goes to the store each time.
    - `forget` (logout, on the process that handled it) stops the token here at once.
    - Elsewhere nothing is told: on another worker, a logged-out token, a deactivated user
      or a token past its expiry keeps working for at most `ttl` seconds after the change
      (the CLI's `chirp users deactivate` included). Nothing else is read from the cached
      user than what a request needs (id, username, is_admin); a renamed or demoted user
      shows the change within `ttl` as well.
    - A fill races a forget: a lookup whose store read began before a `forget` must not keep
      its (possibly stale) answer. Every forget bumps a generation, and a lookup fills only
      when no forget happened since its read began (it still answers its own request).
    """

    def __init__(
        self,
        ttl: float = TTL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
        max_entries: int = MAX_ENTRIES,
    ) -> None:
        self._ttl = ttl
        self._clock = clock
        self._max = max_entries
        self._entries: dict[str, tuple[User, float]] = {}
        self._generation = 0
        self._lock = threading.Lock()

    def user(self, key: str, load: Callable[[], User]) -> User:
        """The user cached for `key`, or `load()`'s (kept unless a forget intervened)."""
        hit = self._entries.get(key)
        if hit is not None and hit[1] > self._clock():
            return hit[0]
        generation = self._generation
        user = load()  # raises for a refused token: nothing is kept
        with self._lock:
            if generation == self._generation:
                self._make_room()
                self._entries[key] = (user, self._clock() + self._ttl)
        return user

    def forget(self, key: str) -> None:
        """Stop `key` on this process now, and drop any fill whose read began before."""
        with self._lock:
            self._generation += 1
            self._entries.pop(key, None)

    def _make_room(self) -> None:
        if len(self._entries) < self._max:
            return
        now = self._clock()
        self._entries = {k: v for k, v in self._entries.items() if v[1] > now}
        if len(self._entries) >= self._max:
            self._entries.clear()
