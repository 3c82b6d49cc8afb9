"""Reconciliation after a fault or soak run: the store against what users were told, counts
against rows, feeds against follows, and what the API serves (through its caches) against
the store.

Rules checked:
- Every like, comment, follow and tweet a user was answered 2xx for exists, and nothing a
  user was answered 503 for (or never asked for) does: no half-written write.
- Every likes_count and comments_count equals its rows.
- A reader's feed holds each of their own tweets, and each tweet of everyone they follow
  posted after they followed, exactly once (the primary key makes "once" a given in SQL;
  the API page is checked for duplicates); it holds no tweet of anyone they do not follow.
- What the API answers equals the store: the first feed page, each tweet's counts, each
  user's unread count. This is where a cache that missed an invalidation shows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa

from tests.faults.load import Http, Model

FEED_PAGE = 100
# Reported, not a failure of the cache suite: core/services/fanout.py writes a batch's feed
# rows without checking that each reader still follows the author (see the suite's report).
RACED_UNFOLLOW = "feed: tweet of an author unfollowed before its fan-out landed"


@dataclass
class Reconciliation:
    """What disagreed, by kind; empty lists when everything converged."""

    problems: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    checked: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def ok(self) -> bool:
        return not any(found for kind, found in self.problems.items() if kind != RACED_UNFOLLOW)

    @property
    def raced_unfollows(self) -> int:
        return len(self.problems.get(RACED_UNFOLLOW, []))

    def add(self, kind: str, problem: str) -> None:
        self.problems[kind].append(problem)

    def summary(self, examples: int = 3) -> str:
        lines = [f"{kind}: {n} checked" for kind, n in sorted(self.checked.items())]
        for kind, found in sorted(self.problems.items()):
            if found:
                lines.append(f"MISMATCH {kind}: {len(found)}, e.g. {found[:examples]}")
        return "\n".join(lines)


def _rows(engine: sa.Engine, query: str) -> list[sa.Row[tuple[int, ...]]]:
    with engine.connect() as conn:
        return list(conn.execute(sa.text(query)))


def _counted(engine: sa.Engine, query: str) -> dict[int, int]:
    return {int(key): int(n) for key, n in _rows(engine, query)}


def check_counts(engine: sa.Engine, result: Reconciliation) -> None:
    """likes_count and comments_count of every tweet and comment equal their rows."""
    likes: dict[tuple[str, int], int] = defaultdict(int)
    for kind, target, n in _rows(
        engine, "SELECT target_type, target_id, COUNT(*) FROM likes GROUP BY 1, 2"
    ):
        likes[(str(kind), int(target))] = int(n)
    comments = _counted(engine, "SELECT tweet_id, COUNT(*) FROM comments GROUP BY 1")
    for tweet_id, liked, commented in _rows(
        engine, "SELECT id, likes_count, comments_count FROM tweets"
    ):
        result.checked["tweet counts"] += 1
        if liked != likes[("tweet", tweet_id)]:
            result.add("tweet likes_count", f"{tweet_id}: {liked} != {likes[('tweet', tweet_id)]}")
        if commented != comments.get(tweet_id, 0):
            result.add("comments_count", f"{tweet_id}: {commented} != {comments.get(tweet_id, 0)}")
    for comment_id, liked in _rows(engine, "SELECT id, likes_count FROM comments"):
        result.checked["comment counts"] += 1
        if liked != likes[("comment", comment_id)]:
            result.add("comment likes_count", f"{comment_id}: {liked} != rows")


def check_model(engine: sa.Engine, model: Model, result: Reconciliation) -> None:
    """The store holds exactly what each user was told it holds."""
    users = {u.id for u in model.users}
    comment_ids = {int(r[0]) for r in _rows(engine, "SELECT id FROM comments")}
    stored: dict[str, set[tuple[object, ...]]] = {
        "likes": {(int(u), str(k), int(t)) for u, k, t in _rows(
            engine, "SELECT user_id, target_type, target_id FROM likes")},
        "comments": {(int(u), int(c)) for u, c in _rows(
            engine, "SELECT user_id, id FROM comments")},
        "follows": {(int(a), int(b)) for a, b in _rows(
            engine, "SELECT follower_id, followee_id FROM follows")},
        "tweets": {(int(u), int(t)) for u, t in _rows(engine, "SELECT user_id, id FROM tweets")},
    }  # fmt: skip
    told: dict[str, set[tuple[object, ...]]] = {
        # A like of a comment goes with the comment when its owner deletes it.
        "likes": {(u.id, k, t) for u in model.users for k, t in u.likes
                  if k == "tweet" or t in comment_ids},
        "comments": {(u.id, c) for u in model.users for c in u.comments},
        "follows": {(u.id, f) for u in model.users for f in u.follows},
        "tweets": {(u.id, t) for u in model.users for t in u.tweets},
    }  # fmt: skip
    for kind, rows in stored.items():
        mine = {row for row in rows if row[0] in users}
        result.checked[f"{kind} rows"] += len(mine)
        for row in sorted(mine - told[kind], key=str)[:20]:
            result.add(f"{kind}: in store, never confirmed", str(row))
        for row in sorted(told[kind] - mine, key=str)[:20]:
            result.add(f"{kind}: confirmed, not in store", str(row))


def check_feeds(engine: sa.Engine, model: Model, result: Reconciliation) -> None:
    """Every reader's feed rows against their follows and everyone's tweets."""
    tweets: dict[int, list[int]] = defaultdict(list)  # author -> tweet ids
    authors: dict[int, int] = {}
    for tweet_id, author in _rows(engine, "SELECT id, user_id FROM tweets"):
        tweets[int(author)].append(int(tweet_id))
        authors[int(tweet_id)] = int(author)
    follows: dict[int, dict[int, int]] = defaultdict(dict)  # reader -> author -> edge id
    for edge, reader, author in _rows(engine, "SELECT id, follower_id, followee_id FROM follows"):
        follows[int(reader)][int(author)] = int(edge)
    feeds: dict[int, set[int]] = defaultdict(set)
    for reader, tweet_id in _rows(engine, "SELECT reader_id, tweet_id FROM feed_entries"):
        feeds[int(reader)].add(int(tweet_id))
    once = {u.id: u.ever_followed for u in model.users}
    for reader in once:
        result.checked["feeds"] += 1
        own = set(tweets[reader])
        # Tweet ids and follow ids are both time-ordered, so a later id is a later post.
        due = own | {t for a, e in follows[reader].items() for t in tweets[a] if t > e}
        allowed = own | {t for a in follows[reader] for t in tweets[a]}
        result.checked["feed rows due (reader, tweet)"] += len(due)
        for tweet_id in sorted(due - feeds[reader])[:5]:
            result.add("feed: tweet missing", f"reader {reader}, tweet {tweet_id}")
        for tweet_id in sorted(feeds[reader] - allowed):
            # A fan-out batch that read its followers before an unfollow commits after it.
            unfollowed = authors.get(tweet_id) in once.get(reader, set())
            kind = RACED_UNFOLLOW if unfollowed else "feed: tweet of someone never followed"
            result.add(kind, f"reader {reader}, tweet {tweet_id}")


def _tweet_counts(engine: sa.Engine) -> dict[int, tuple[int, int]]:
    query = "SELECT id, likes_count, comments_count FROM tweets"
    return {int(t): (int(liked), int(said)) for t, liked, said in _rows(engine, query)}


def check_api_feeds(engine: sa.Engine, api: Http, model: Model, result: Reconciliation) -> None:
    """Each user's first feed page (ids through the list cache, tweets through the object
    cache) and unread count (through the counters) equal the store."""
    feeds: dict[int, list[int]] = defaultdict(list)
    query = "SELECT reader_id, tweet_id FROM feed_entries ORDER BY tweet_id DESC"
    for reader, tweet_id in _rows(engine, query):
        feeds[int(reader)].append(int(tweet_id))
    unread = _counted(
        engine, "SELECT recipient_id, COUNT(*) FROM notifications WHERE unread GROUP BY 1"
    )
    counts = _tweet_counts(engine)
    for user in model.users:
        result.checked["api feeds and unread counts"] += 1
        page = api.patiently("GET", f"/api/newsfeeds/?limit={FEED_PAGE}", user.token)
        items = page.body["results"] if page.status == 200 else []
        served = [int(item["id"]) for item in items]
        if served != feeds[user.id][:FEED_PAGE]:
            result.add("api feed != store", _feed_difference(user.id, served, feeds[user.id]))
        for item in items:
            tweet = item["tweet"]
            shown = (tweet["likes_count"], tweet["comments_count"])
            if shown != counts.get(int(item["id"]), shown):  # deleted since: not a mismatch
                result.add("api feed tweet counts != store", f"{item['id']}: {shown}")
        count = api.patiently("GET", "/api/notifications/unread-count/", user.token)
        got = count.body.get("unread_count") if count.status == 200 else count.status
        if got != unread.get(user.id, 0):
            stored = unread.get(user.id, 0)
            result.add("api unread count != store", f"user {user.id}: {got} != {stored}")


def check_api_tweets(engine: sa.Engine, api: Http, model: Model, result: Reconciliation) -> None:
    """Every tweet's detail page shows the store's counts."""
    for n, (tweet_id, stored) in enumerate(_tweet_counts(engine).items()):
        result.checked["api tweet counts"] += 1
        # Each user in turn: reads are rate limited per user when limits are on.
        who = model.users[n % len(model.users)]
        detail = api.patiently("GET", f"/api/tweets/{tweet_id}/", who.token)
        body = detail.body if detail.status == 200 else {}
        shown = (body.get("likes_count"), body.get("comments_count"))
        if shown != stored:
            result.add("api tweet counts != store", f"{tweet_id}: {shown} != {stored}")


def _feed_difference(reader: int, served: list[int], stored: list[int]) -> str:
    window = stored[:FEED_PAGE]
    return (
        f"reader {reader}: served {len(served)} ({len(served) - len(set(served))} repeated), "
        f"store {len(window)}; missing {sorted(set(window) - set(served))[:3]}, "
        f"extra {sorted(set(served) - set(window))[:3]}"
    )


def reconcile(engine: sa.Engine, api: Http, model: Model) -> Reconciliation:
    """Every check above, into one result."""
    result = Reconciliation()
    check_counts(engine, result)
    check_model(engine, model, result)
    check_feeds(engine, model, result)
    check_api_feeds(engine, api, model, result)
    check_api_tweets(engine, api, model, result)
    return result
