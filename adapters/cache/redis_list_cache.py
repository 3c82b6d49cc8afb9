"""RedisListCache: capped id lists (cached newsfeeds) in Redis LISTs, filled under leases."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from typing import cast

import redis

from adapters.cache.clients import drop_prefix
from adapters.cache.degrade import LostWrites, degrades_to
from core.ports.list_cache import CachedList, ListCache

# Every cached list ends with a marker that says whether it is whole. It also keeps a list
# that lost its last id existing (Redis deletes an empty LIST), so "cached and empty" stays
# apart from "not cached". PART is the sentinel older lists ended with, so they read, safely,
# as not whole; WHOLE parses as an int, so a process still on the older code that meets it
# during a rolling deploy reads a tweet id that does not exist (skipped), not an error.
WHOLE, PART = b"-1", b"0"
DAY_SECONDS = 24 * 60 * 60
LEASE_SECONDS = 60

# Shared by the scripts. Ids are compared as decimal strings, length first, because Lua
# numbers are doubles and lose 64-bit ids. A lease is a HASH next to its list: field "token",
# and one field per id pushed ("+") or removed ("-") since it began, the last call winning.
_LUA = """
local WHOLE, PART = '-1', '0'
local function newer(a, b)
  if #a ~= #b then return #a > #b end
  return a > b
end
"""

# One atomic call for all keys. Fan-out workers race, so an id can arrive after newer ones:
# it is inserted in order (a plain LPUSH + LTRIM would trim a newer id and keep the late
# older one). Past the cap the oldest go and the marker turns PART. A list that is not whole
# takes no id below its floor: the store has those, and the floor must keep meaning
# "everything from here up is cached".
PUSH_SCRIPT = (
    _LUA
    + """
local id, cap = ARGV[1], tonumber(ARGV[2])
for i = 1, #KEYS, 2 do
  local list, lease = KEYS[i], KEYS[i + 1]
  local items = redis.call('LRANGE', list, 0, 0)
  if #items == 0 then
    if redis.call('HEXISTS', lease, 'token') == 1 then redis.call('HSET', lease, id, '+') end
  elseif items[1] ~= WHOLE and items[1] ~= PART and newer(id, items[1]) then
    redis.call('LPUSH', list, id)
  else
    items = redis.call('LRANGE', list, 0, -1)
    local marker, pivot = items[#items], nil
    for j = 1, #items - 1 do
      if items[j] == id then pivot = false break end
      if newer(id, items[j]) then pivot = items[j] break end
    end
    if pivot == nil and marker == WHOLE then pivot = marker end
    if pivot then redis.call('LINSERT', list, 'BEFORE', pivot, id) end
  end
  if redis.call('LLEN', list) > cap + 1 then
    redis.call('LSET', list, cap, PART)
    redis.call('LTRIM', list, 0, cap)
  end
end
return 0
"""
)

REMOVE_SCRIPT = """
for i = 1, #KEYS, 2 do
  if redis.call('EXISTS', KEYS[i]) == 1 then
    redis.call('LREM', KEYS[i], 0, ARGV[1])
  elseif redis.call('HEXISTS', KEYS[i + 1], 'token') == 1 then
    redis.call('HSET', KEYS[i + 1], ARGV[1], '-')
  end
end
return 0
"""

# A cached list needs no lease: its fill will find it cached and do nothing.
LEASE_SCRIPT = """
if redis.call('EXISTS', KEYS[1]) == 1 then return ARGV[1] end
local held = redis.call('HGET', KEYS[2], 'token')
if held then return held end
redis.call('HSET', KEYS[2], 'token', ARGV[1])
redis.call('EXPIRE', KEYS[2], ARGV[2])
return ARGV[1]
"""

# ARGV: token, cap, whole (1/0), ttl, then the ids read. Applies the lease's marks to the ids
# read; late pushes below the floor of a partial read stay out, as in PUSH_SCRIPT.
FILL_SCRIPT = (
    _LUA
    + """
local list, lease = KEYS[1], KEYS[2]
if redis.call('EXISTS', list) == 1 or redis.call('HGET', lease, 'token') ~= ARGV[1] then
  return 0
end
local cap, whole, floor, keep = tonumber(ARGV[2]), ARGV[3] == '1', nil, {}
for i = 5, #ARGV do
  keep[ARGV[i]] = true
  if floor == nil or newer(floor, ARGV[i]) then floor = ARGV[i] end
end
local marks = redis.call('HGETALL', lease)
for i = 1, #marks, 2 do
  local id, mark = marks[i], marks[i + 1]
  if id ~= 'token' then
    if mark == '-' then keep[id] = nil
    elseif whole or (floor and newer(id, floor)) then keep[id] = true end
  end
end
local ids = {}
for id in pairs(keep) do ids[#ids + 1] = id end
table.sort(ids, newer)
redis.call('DEL', lease)
for i = 1, math.min(#ids, cap) do redis.call('RPUSH', list, ids[i]) end
redis.call('RPUSH', list, (whole and #ids <= cap) and WHOLE or PART)
redis.call('EXPIRE', list, ARGV[4])
return 1
"""
)


class RedisListCache(ListCache):
    """Each list is a Redis LIST of distinct decimal ids, newest first, then WHOLE or PART;
    its lease is a HASH at the list's key + ":lease".

    Every call is one script or command, so one round trip whatever the number of keys.
    `get` still sorts and de-duplicates, so a list written by another version reads right.
    """

    def __init__(
        self, client: redis.Redis, prefix: str = "chirp:list:", ttl_seconds: int = DAY_SECONDS
    ) -> None:
        self._client = client
        self._prefix = prefix
        self._ttl = ttl_seconds
        # Only hashes the sources: the first call loads each (EVALSHA, SCRIPT LOAD on NOSCRIPT).
        self._push = client.register_script(PUSH_SCRIPT)
        self._remove = client.register_script(REMOVE_SCRIPT)
        self._lease = client.register_script(LEASE_SCRIPT)
        self._fill = client.register_script(FILL_SCRIPT)
        self.lost = LostWrites(self._drop, self._drop_namespace)

    def _key(self, key: str) -> str:
        return self._prefix + key

    def _pairs(self, keys: Sequence[str]) -> list[str]:
        names: list[str] = []
        for key in dict.fromkeys(keys):
            names += [self._key(key), self._key(key) + ":lease"]
        return names

    @degrades_to(lambda: None, (redis.RedisError,))
    def get(self, key: str) -> CachedList | None:
        raw = cast(list[bytes], self._client.lrange(self._key(key), 0, -1))
        if not raw:
            return None
        ids = {int(item) for item in raw if item not in (WHOLE, PART)}
        return CachedList(ids=sorted(ids, reverse=True), whole=raw[-1] == WHOLE)

    @degrades_to(str, (redis.RedisError,))
    def lease(self, key: str) -> str:
        token = secrets.token_hex(8)
        held = self._lease(keys=self._pairs([key]), args=[token, LEASE_SECONDS])
        return held.decode() if isinstance(held, bytes) else str(held)

    # A lost push or drop is made good by the next call, which drops what a fill put
    # meanwhile.
    @degrades_to(lambda: None, (redis.RedisError,), settles=False)
    def fill(self, key: str, lease: str, ids: Sequence[int], cap: int, *, whole: bool) -> None:
        args: list[str | int] = [lease, max(cap, 0), int(whole), self._ttl]
        args += [str(i) for i in set(ids)]
        self._fill(keys=self._pairs([key]), args=args)

    @degrades_to(lambda: None, (redis.RedisError,), writes=True)
    def push(self, keys: Sequence[str], item_id: int, cap: int) -> None:
        if keys:
            self._push(keys=self._pairs(keys), args=[str(item_id), max(cap, 0)])

    @degrades_to(lambda: None, (redis.RedisError,), writes=True)
    def remove(self, keys: Sequence[str], item_id: int) -> None:
        if keys:
            self._remove(keys=self._pairs(keys), args=[str(item_id)])

    @degrades_to(lambda: None, (redis.RedisError,), writes=True)
    def delete(self, keys: Sequence[str]) -> None:
        self._drop(keys)

    def _drop(self, keys: Sequence[str]) -> None:
        # The lease goes with its list: a fill under it must not land a list that missed
        # a push.
        if keys:
            self._client.delete(*self._pairs(keys))

    def _drop_namespace(self) -> None:
        drop_prefix(self._client, self._prefix)
