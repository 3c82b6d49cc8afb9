"""RedisRateLimitStore: atomic fixed-window request counters in Redis."""

from __future__ import annotations

from collections.abc import Sequence

import redis

from core.domain.errors import Unavailable
from core.ports.rate_limit_store import RateLimitStore

# INCR and EXPIRE must be one step: a crash between them would leave a counter without
# a ttl, limiting its key forever. A counter found without a ttl is healed the same way.
HIT_SCRIPT = """
local counts = {}
for i, key in ipairs(KEYS) do
  local count = redis.call('INCR', key)
  if count == 1 or redis.call('TTL', key) == -1 then
    redis.call('EXPIRE', key, ARGV[i])
  end
  counts[i] = count
end
return counts
"""


class RedisRateLimitStore(RateLimitStore):
    """Window counters as Redis strings with a ttl, all keys of a hit in one EVALSHA.

    A limiter that cannot count must not silently allow: a down Redis raises Unavailable and
    the service decides.
    """

    def __init__(self, client: redis.Redis, prefix: str = "chirp:rate:") -> None:
        self._prefix = prefix
        # register_script only hashes the source; the first call loads it (EVALSHA, then
        # SCRIPT LOAD on NOSCRIPT), so nothing touches the network here.
        self._hit = client.register_script(HIT_SCRIPT)

    def hit(self, keys: Sequence[tuple[str, int]]) -> list[int]:
        if not keys:
            return []
        names = [(self._prefix + key).encode() for key, _ in keys]
        ttls = [max(int(ttl), 1) for _, ttl in keys]
        try:
            counts = self._hit(keys=names, args=ttls)
        except redis.RedisError as exc:
            raise Unavailable(f"redis rate-limit store is unavailable: {exc}") from exc
        return [int(count) for count in counts]
