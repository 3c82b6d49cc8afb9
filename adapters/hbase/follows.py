"""HBaseFollowStore: follow edges in the `follows` table, claimed atomically with checkAndPut."""

from __future__ import annotations

from collections.abc import Sequence

from adapters.hbase.gateway import Gateway, Pool
from adapters.hbase.model import after_range, window_range
from adapters.hbase.schema import (
    EDGE,
    EDGE_CELL,
    FAN,
    FOLLOWER,
    FOLLOWING,
    FOLLOWS,
    EdgeState,
    live,
    tombstone,
)
from core.domain.paging import Window
from core.domain.social import Follow
from core.ports.follow_store import FollowStore


class HBaseFollowStore(FollowStore):
    """Follow edges in HBase, written at once (never part of the SQL unit of work).

    Rules (the edge cell is the truth; the list rows follow it):
    - `add` claims the edge cell with checkAndPut "if missing" (Thrift1's checkAndPut, which
      happybase's Table does not wrap): of adds racing for one pair exactly one answers True.
      A tombstone is claimed with checkAndPut "if it still holds that
      tombstone", after finishing that removal's deletes.
    - The winner then writes the three list rows (one batch) and reads the edge again: if a
      `remove` took it meanwhile, it deletes its own list rows, since the
      remove's deletes may have landed before them.
    - `remove` swaps the live edge it read for a tombstone with checkAndPut "if it still holds
      what I read": of removes racing, exactly one answers True; it then deletes
      the list rows. The edge cell is never deleted: a put in the same server millisecond as
      a delete would be hidden by the delete marker, and a tombstone can be claimed at once.
    - List rows carry the follow id, so deleting an old edge's rows never hits a new edge's.
    Races that remain: the lists lag the edge cell by a round trip (a new edge is in `get`
    before `followers`; a removed one leaves `followers` after `get`); the rows of an add
    that lands after its edge was removed show until that add deletes them a round trip
    later (if the pair was followed again meanwhile, `follower_ids` returns the follower
    once, so that batch is one short). A process dying between its claim and its list writes
    leaves list rows missing (add: adding the same follow again, as a retried mirror job or
    a resumed backfill does, writes them) or stale (remove: the next add or remove of the
    pair finishes it).
    - `count_followers` counts the fan rows, so it always agrees with what fan-out reads.
    """

    def __init__(self, pool: Pool, prefix: str, *, wait_seconds: float = 5.0) -> None:
        self._db = Gateway(pool, prefix, wait_seconds)

    def add(self, follow: Follow) -> bool:
        if not self._claim(follow):
            # The same edge again: finish its list rows, which an add that stopped half-way
            # (a killed process) left missing; they are idempotent puts.
            _, state = self._read_edge(follow.follower_id, follow.followee_id)
            if state == live(follow):
                self._finish(follow)
            return False
        self._finish(follow)
        return True

    def _finish(self, follow: Follow) -> None:
        """Write the edge's list rows, then undo them if a remove took the edge meanwhile."""
        self._write_lists(follow)
        _, now = self._read_edge(follow.follower_id, follow.followee_id)
        if now != live(follow):
            self._delete_lists(follow)  # a remove took the edge before our rows landed

    def remove(self, follower_id: int, followee_id: int) -> bool:
        raw, state = self._read_edge(follower_id, followee_id)
        if raw is None or state is None:
            return False
        edge = _follow(state, follower_id, followee_id)
        if not state.live:
            self._delete_lists(edge)  # finish a removal that stopped half-way
            return False
        if not self._claim_removal(edge, raw):
            return False
        self._delete_lists(edge)
        return True

    def get(self, follower_id: int, followee_id: int) -> Follow | None:
        _, state = self._read_edge(follower_id, followee_id)
        if state is None or not state.live:
            return None
        return _follow(state, follower_id, followee_id)

    def followers(self, user_id: int, window: Window) -> list[Follow]:
        key_range = window_range(FOLLOWER, window, followee_id=user_id)
        if key_range is None:
            return []
        found = []
        for key, cells in self._db.scan(FOLLOWS, key_range, window.fetch):
            values = FOLLOWER.read_cells(cells)
            found.append(
                Follow(
                    id=FOLLOWER.read_key(key)["follow_id"],
                    follower_id=values["user_id"],
                    followee_id=user_id,
                    created_at=values["created_at"],
                )
            )
        return found

    def followings(self, user_id: int, window: Window) -> list[Follow]:
        key_range = window_range(FOLLOWING, window, follower_id=user_id)
        if key_range is None:
            return []
        found = []
        for key, cells in self._db.scan(FOLLOWS, key_range, window.fetch):
            values = FOLLOWING.read_cells(cells)
            found.append(
                Follow(
                    id=FOLLOWING.read_key(key)["follow_id"],
                    follower_id=user_id,
                    followee_id=values["user_id"],
                    created_at=values["created_at"],
                )
            )
        return found

    def follower_ids(self, user_id: int, after_id: int | None, limit: int) -> list[int]:
        key_range = after_range(FAN, after_id, followee_id=user_id)
        if key_range is None or limit < 1:
            return []
        rows = self._db.scan(FOLLOWS, key_range, limit, keys_only=True)
        ids = [FAN.read_key(key)["follower_id"] for key, _ in rows]
        return list(dict.fromkeys(ids))  # ascending already; one id per follower

    def count_followers(self, user_id: int) -> int:
        # Counted from the fan rows (one keys-only scan), so the count is always what
        # fan-out would reach: a counter cell could drift for good when a process died
        # between an edge's write and its increment. Only `chirp migrate verify` asks.
        key_range = after_range(FAN, None, followee_id=user_id)
        if key_range is None:
            return 0
        rows = self._db.scan(FOLLOWS, key_range, None, keys_only=True)
        return len({FAN.read_key(key)["follower_id"] for key, _ in rows})

    def followed_among(self, follower_id: int, candidate_ids: Sequence[int]) -> set[int]:
        edges = [(follower_id, c) for c in set(candidate_ids)]
        return {followee for _, followee in self._live_edges(edges)}

    def followers_among(self, followee_id: int, candidate_ids: Sequence[int]) -> set[int]:
        # Not held: HBase is no unit of work's store, and fan-out reads SQL's edges.
        edges = [(c, followee_id) for c in set(candidate_ids)]
        return {follower for follower, _ in self._live_edges(edges)}

    def _live_edges(self, edges: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Which (follower, followee) pairs have a live edge, in one multi-get."""
        keys = [EDGE.key(follower_id=a, followee_id=b) for a, b in edges]
        found = self._db.rows(FOLLOWS, keys, [EDGE_CELL.key])
        return [
            (EDGE.read_key(key)["follower_id"], EDGE.read_key(key)["followee_id"])
            for key, cells in found.items()
            if EDGE.read_cells(cells)["edge"].live
        ]

    # The steps below are separate so a test can run another store between two of them.

    def _claim(self, follow: Follow) -> bool:
        key = EDGE.key(follower_id=follow.follower_id, followee_id=follow.followee_id)
        cell = EDGE_CELL.codec.encode(live(follow))
        if self._db.check_and_put(FOLLOWS, key, EDGE_CELL.key, None, cell):
            return True
        raw, state = self._read_edge(follow.follower_id, follow.followee_id)
        if state is not None and state.live:
            return False
        if state is not None:
            self._delete_lists(_follow(state, follow.follower_id, follow.followee_id))
        return self._db.check_and_put(FOLLOWS, key, EDGE_CELL.key, raw, cell)

    def _claim_removal(self, edge: Follow, seen: bytes) -> bool:
        key = EDGE.key(follower_id=edge.follower_id, followee_id=edge.followee_id)
        gone = EDGE_CELL.codec.encode(tombstone(live(edge)))
        return self._db.check_and_put(FOLLOWS, key, EDGE_CELL.key, seen, gone)

    def _write_lists(self, follow: Follow) -> None:
        self._db.mutate(FOLLOWS, puts=_list_rows(follow))

    def _delete_lists(self, follow: Follow) -> None:
        self._db.mutate(FOLLOWS, deletes=list(_list_rows(follow)))

    def _read_edge(
        self, follower_id: int, followee_id: int
    ) -> tuple[bytes | None, EdgeState | None]:
        key = EDGE.key(follower_id=follower_id, followee_id=followee_id)
        raw = self._db.rows(FOLLOWS, [key], [EDGE_CELL.key]).get(key, {}).get(EDGE_CELL.key)
        return raw, (EDGE_CELL.codec.decode(raw) if raw else None)


def _follow(state: EdgeState, follower_id: int, followee_id: int) -> Follow:
    return Follow(
        id=state.follow_id,
        follower_id=follower_id,
        followee_id=followee_id,
        created_at=state.created_at,
    )


def _list_rows(follow: Follow) -> dict[bytes, dict[bytes, bytes]]:
    """The following, follower and fan rows of one edge (all keyed by its follow id)."""
    out, into = follow.follower_id, follow.followee_id
    return {
        FOLLOWING.key(follower_id=out, follow_id=follow.id): FOLLOWING.cells(
            user_id=into, created_at=follow.created_at
        ),
        FOLLOWER.key(followee_id=into, follow_id=follow.id): FOLLOWER.cells(
            user_id=out, created_at=follow.created_at
        ),
        FAN.key(followee_id=into, follower_id=out, follow_id=follow.id): FAN.cells(marker=None),
    }
