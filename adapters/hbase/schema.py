"""chirp's two HBase tables, declared: each kind of row, its key, its columns, and why.

Every read the ports make is about one user (a reader's feed, a user's followers or
followings, one follower's edges), so every key starts with that user (see `model`):
`salt | user | kind | fields`, each id 8 bytes. One byte of salt first, because user ids are
time-ordered: without it the users who signed up in the same month would share one region
and make it hot. The salt is a hash of the user, so one user's rows stay together and every
list is still one contiguous range; tables are pre-split on salt values.

Ids are big-endian with the sign bit flipped (byte order = numeric order over the whole
signed range); lists read newest first store the id inverted (`~id`), so the common page is
a forward scan from the prefix and the oldest-first pages (`since`) a reverse scan of the
same rows. Ids are unique, so ids made in the same microsecond still have one order.

follows (all written by `HBaseFollowStore`):

| kind      | key                             | columns              | serves                  |
| edge      | salt(f) f 1 followee            | e: state, id, time   | add, remove, get,       |
|           |                                 |                      | followed_among: truth   |
| following | salt(f) f 2 ~follow_id          | u: followee, t: time | followings pages        |
| follower  | salt(e) e 3 ~follow_id          | u: follower, t: time | followers pages         |
| fan       | salt(e) e 4 follower follow_id  | x: marker            | follower_ids (ascending)|
|           |                                 |                      | and count_followers     |

The three list rows carry the follow id, so the rows of an edge removed and made again
never share a key (no delete can hit the new edge's rows).

feeds (all written by `HBaseFeedStore`):

| kind      | key                             | columns              | serves                  |
| entry     | salt(r) r 1 ~tweet_id           | a: author, t: time   | tweet_ids, remove_tweet |
| by_author | salt(r) r 2 author ~tweet_id    | x: marker            | remove_author           |

An entry and its by_author row share the reader's prefix: one region, one batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from adapters.hbase.codecs import INT64, MARKER, MICROS, NEWEST_FIRST, Codec
from adapters.hbase.model import Column, RowKind, TableSpec
from core.domain.social import Follow


@dataclass(frozen=True, slots=True)
class EdgeState:
    """What the edge cell says: the edge, and whether it is live or being removed."""

    live: bool
    follow_id: int
    created_at: datetime


class EdgeCodec(Codec[EdgeState]):
    """b"L" or b"T" (tombstone), the follow id, the time: one cell, so that one `checkAndPut`
    (which carries a single cell) writes the whole edge."""

    width = 17

    def encode(self, value: EdgeState) -> bytes:
        state = b"L" if value.live else b"T"
        return state + INT64.encode(value.follow_id) + MICROS.encode(value.created_at)

    def decode(self, raw: bytes) -> EdgeState:
        return EdgeState(
            live=raw[:1] == b"L",
            follow_id=INT64.decode(raw[1:9]),
            created_at=MICROS.decode(raw[9:17]),
        )


def live(follow: Follow) -> EdgeState:
    return EdgeState(live=True, follow_id=follow.id, created_at=follow.created_at)


def tombstone(state: EdgeState) -> EdgeState:
    return EdgeState(live=False, follow_id=state.follow_id, created_at=state.created_at)


EDGE_CELL = Column("edge", b"e", EdgeCodec())
USER = Column("user_id", b"u", INT64)
TIME = Column("created_at", b"t", MICROS)
SEEN = Column("marker", b"x", MARKER)

EDGE = RowKind("edge", 1, "follower_id", (("followee_id", INT64),), (EDGE_CELL,))
FOLLOWING = RowKind("following", 2, "follower_id", (("follow_id", NEWEST_FIRST),), (USER, TIME))
FOLLOWER = RowKind("follower", 3, "followee_id", (("follow_id", NEWEST_FIRST),), (USER, TIME))
FAN = RowKind(
    "fan", 4, "followee_id", (("follower_id", INT64), ("follow_id", INT64)), (SEEN,)
)  # fmt: skip

AUTHOR = Column("author_id", b"a", INT64)
ENTRY = RowKind("entry", 1, "reader_id", (("tweet_id", NEWEST_FIRST),), (AUTHOR, TIME))
BY_AUTHOR = RowKind(
    "by_author", 2, "reader_id", (("author_id", INT64), ("tweet_id", NEWEST_FIRST)), (SEEN,)
)

FOLLOWS = TableSpec("follows", (EDGE, FOLLOWING, FOLLOWER, FAN))
FEEDS = TableSpec("feeds", (ENTRY, BY_AUTHOR))
TABLES = (FOLLOWS, FEEDS)
