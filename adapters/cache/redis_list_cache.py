"""RedisListCache: capped id lists (cached newsfeeds) in Redis LISTs."""

from __future__ import annotations

from collections.abc import Sequence

import redis

from adapters.cache.degrade import degrades_to
from core.ports.list_cache import ListCache

# Redis deletes a LIST when its last element goes, which would turn "cached and empty" into
# "not cached". Every cached list therefore ends with this element, which is never an id.
SENTINEL = b"0"
DAY_SECONDS = 24 * 60 * 60

# Push in one atomic EVALSHA for all keys. Fan-out workers race, so an id can arrive after
# newer ones: it is inserted in order (a plain LPUSH + LTRIM would then trim a newer id and
# keep the late older one, and the feed would skip the newer). Ids are compared as decimal
# strings, length first, because Lua numbers are doubles and lose 64-bit ids.
PUSH_SCRIPT = """
local id, cap, sentinel = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
for _, key in ipairs(KEYS) do
  local head = redis.call('LINDEX', key, 0)
  if head then
    if head == sentinel or newer(id, head) then
      redis.call('LPUSH', key, id)
    else
      local pivot = nil
      for _, item in ipairs(redis.call('LRANGE', key, 0, -1)) do
        if item == id then pivot = false break end
        if item == sentinel or newer(id, item) then pivot = item break end
      end
      if pivot then redis.call('LINSERT', key, 'BEFORE', pivot, id)
      elseif pivot == nil then redis.call('RPUSH', key, id) end
    end
    if redis.call('LLEN', key) > cap + 1 then
      if cap > 0 then redis.call('LTRIM', key, 0, cap - 1) else redis.call('DEL', key) end
      redis.call('RPUSH', key, sentinel)
    end
  end
end
return 0
"""


class RedisListCache(ListCache):
    """Each list is a Redis LIST of distinct decimal ids, newest first, SENTINEL at the tail.

    `replace` is one MULTI pipeline, `push` one script call and `remove` one pipeline, so each
    costs one round trip whatever the number of keys. `get` still sorts and de-duplicates, so
    a list written by another version of this code reads right too.
    """

    def __init__(
        self, client: redis.Redis, prefix: str = "chirp:list:", ttl_seconds: int = DAY_SECONDS
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        # Only hashes the source: the first call loads it (EVALSHA, SCRIPT LOAD on NOSCRIPT).
        self._push = client.register_script(PUSH_SCRIPT)

    def _key(self, key: str) -> bytes:
        return (self._prefix + key).encode()

    @degrades_to(lambda: None, (redis.RedisError,))
    def get(self, key: str) -> list[int] | None:
        raw = self._client.lrange(self._key(key), 0, -1)
        if not raw:
            return None
        ids = {int(item) for item in raw if item != SENTINEL}
        return sorted(ids, reverse=True)

    @degrades_to(lambda: None, (redis.RedisError,))
    def replace(self, key: str, ids: Sequence[int], cap: int) -> None:
        newest = sorted(set(ids), reverse=True)[: max(cap, 0)]
        name = self._key(key)
        with self._client.pipeline(transaction=True) as pipe:
            pipe.delete(name)
            pipe.rpush(name, *[str(i).encode() for i in newest], SENTINEL)
            pipe.ltrim(name, 0, len(newest))
            pipe.expire(name, self._ttl)
            pipe.execute()

    @degrades_to(lambda: None, (redis.RedisError,))
    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        distinct = list(dict.fromkeys(keys))
        if distinct:
            names = [self._key(key) for key in distinct]
            self._push(keys=names, args=[str(item_id).encode(), max(cap, 0), SENTINEL])

    @degrades_to(lambda: None, (redis.RedisError,))
    def remove(self, keys: Sequence[str], item_id: int) -> None:
        if not keys:
            return
        value = str(item_id).encode()
        with self._client.pipeline(transaction=False) as pipe:
            for key in dict.fromkeys(keys):
                pipe.lrem(self._key(key), 0, value)
            pipe.execute()

    @degrades_to(lambda: None, (redis.RedisError,))
    def delete(self, keys: Sequence[str]) -> None:
        if keys:
            self._client.delete(*[self._key(key) for key in keys])
