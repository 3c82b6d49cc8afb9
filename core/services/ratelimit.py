"""Rate limiting: fixed windows per action and per user or IP."""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from core.domain.errors import RateLimited, Unavailable
from core.ports.clock import Clock
from core.ports.metrics import Metrics
from core.ports.rate_limit_store import RateLimitStore

log = logging.getLogger("chirp.ratelimit")
RETRY_STORE_SECONDS = 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """At most `limit` requests per `seconds`."""

    limit: int
    seconds: int


@dataclass(frozen=True, slots=True, kw_only=True)
class RateStatus:
    """What the X-RateLimit-* headers report: the tightest rule's standing."""

    limit: int
    remaining: int
    reset: int


def default_rules() -> dict[str, tuple[Rule, ...]]:
    """The default limits of the API contract, by action."""
    per_second = {
        "auth": 3,
        "follow": 10,
        "like": 10,
        "comment_create": 3,
        "newsfeed": 5,
        "read": 10,
    }
    rules: dict[str, tuple[Rule, ...]] = {
        action: (Rule(limit=n, seconds=1),) for action, n in per_second.items()
    }
    rules["tweet_create"] = (Rule(limit=1, seconds=1), Rule(limit=5, seconds=60))
    # Editing or deleting a tweet or comment: a person fixing typos, not a script.
    rules["edit"] = (Rule(limit=5, seconds=1), Rule(limit=60, seconds=60))
    # A profile change may carry a 5 MiB avatar, stored and resized each time.
    rules["profile_update"] = (Rule(limit=1, seconds=1), Rule(limit=10, seconds=60))
    # Opening a live stream: a reconnecting client, not a poller (it waits `retry` first).
    rules["stream"] = (Rule(limit=2, seconds=1), Rule(limit=30, seconds=60))
    rules["notification_mark"] = (Rule(limit=10, seconds=1), Rule(limit=120, seconds=60))
    return rules


class RateLimiter:
    """Counts requests in fixed windows.

    - Each action has one or more rules; a request counts against all of them in one round
      trip, and is refused when any is exceeded, with the seconds until that window ends.
    - The subject is whatever the caller keys by: a user id or an IP address.
    - No free pass, and no outage of the API for the limiter's sake: when the shared store
      cannot count, the `fallback` store (this process's own) counts until it can again,
      so the limits hold per process (up to N times looser across N processes); the store
      is tried again every RETRY_STORE_SECONDS, not on every request (each try may cost a
      timeout); the switch is logged each way. With no fallback, Unavailable.
    """

    def __init__(
        self,
        store: RateLimitStore,
        clock: Clock,
        rules: Mapping[str, Sequence[Rule]] | None = None,
        enabled: bool = True,
        metrics: Metrics | None = None,
        fallback: RateLimitStore | None = None,
    ) -> None:
        self._store = store
        self._fallback = fallback
        self._alone = False  # counting on the fallback since the store failed
        self._retry_at = 0.0  # when to try the store again (clock seconds)
        self._metrics = metrics
        self._clock = clock
        self._rules = dict(rules if rules is not None else default_rules())
        self._enabled = enabled

    def limited(self, action: str) -> bool:
        """Whether an action has rules (and limiting is on)."""
        return self._enabled and bool(self._rules.get(action))

    def hit(self, action: str, subject: str) -> RateStatus | None:
        """Count one request; its standing, or None when the action is not limited."""
        if not self.limited(action):
            return None
        rules = self._rules[action]
        now = self._clock.now().timestamp()
        keys, resets = [], []
        for rule in rules:
            start = math.floor(now / rule.seconds) * rule.seconds
            keys.append((f"rl:{action}:{subject}:{rule.seconds}:{start}", rule.seconds + 1))
            resets.append(max(1, math.ceil(start + rule.seconds - now)))
        counts = self._count(keys)
        standings = [
            RateStatus(limit=r.limit, remaining=max(0, r.limit - c), reset=reset)
            for r, c, reset in zip(rules, counts, resets, strict=True)
        ]
        over = [s for s, c, r in zip(standings, counts, rules, strict=True) if c > r.limit]
        if over:
            worst = max(over, key=lambda s: s.reset)
            if self._metrics is not None:
                self._metrics.rate_limited(action)
            raise RateLimited(
                "too many requests", retry_after=worst.reset, limit=worst.limit, reset=worst.reset
            )
        return min(standings, key=lambda s: (s.remaining, -s.reset))

    def _count(self, keys: list[tuple[str, int]]) -> list[int]:
        now = self._clock.now().timestamp()
        if self._fallback is not None and now < self._retry_at:
            return self._fallback.hit(keys)  # not every request pays the store's timeout
        try:
            counts = self._store.hit(keys)
        except Unavailable as exc:
            if self._fallback is None:
                raise
            self._retry_at = now + RETRY_STORE_SECONDS
            if not self._alone:
                self._alone = True
                log.warning("rate limits counted per process until the store is back: %s", exc)
            return self._fallback.hit(keys)
        if self._alone:
            self._alone = False
            log.warning("rate limits counted in the shared store again")
        return counts
