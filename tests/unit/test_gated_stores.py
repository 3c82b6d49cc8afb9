"""Gray release of follows and feeds to a second store: dual writes, gated reads, roll-back."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from core.domain.errors import Unavailable
from core.domain.feed import Job, JobKind
from core.domain.paging import Window
from core.domain.users import User
from core.services.fanout import feed_key
from core.services.stores import FEEDS_GATE, FOLLOWS_GATE
from tests.unit.gated import Gated, gated
from tests.unit.harness import Harness

Reads = tuple[list[int], list[int], list[int]]


@pytest.fixture
def g() -> Gated:
    return gated()


def write_a_social_graph(g: Gated, users: list[User]) -> dict[int, list[int]]:
    """Each user follows the next three, posts twice, one unfollows, one tweet goes; the
    tweets each user posted and kept, by user id."""
    for i, user in enumerate(users):
        for other in (users[(i + step) % len(users)] for step in (1, 2, 3)):
            g.follow(user, other)
    kept = {u.id: [g.post(u, f"{u.username} says {n}") for n in range(2)] for u in users}
    g.c.following().unfollow(users[0].id, users[1].id)
    g.c.posting().delete_tweet(users[2].id, kept[users[2].id].pop())
    return kept


def follow_lists(g: Gated, user: User) -> tuple[list[int], list[int]]:
    """The user's followers and followings, newest first."""
    following = g.c.following()
    followers = following.followers(None, user.id, Window(limit=100)).results
    followings = following.followings(None, user.id, Window(limit=100)).results
    return [f.user.id for f in followers], [f.user.id for f in followings]


def whole_feed(g: Gated, user: User) -> list[int]:
    """The user's whole feed, read from the store (the cached list is dropped first)."""
    g.c.list_cache().delete([feed_key(user.id)])
    return g.all_feed_ids(user, limit=7)


def everything_read(g: Gated, user: User) -> Reads:
    return (*follow_lists(g, user), whole_feed(g, user))


def test_while_the_gates_are_open_every_write_reaches_both_stores(g: Gated) -> None:
    g.open_gates(50)
    write_a_social_graph(g, [g.user() for _ in range(8)])
    g.settle()
    assert g.sql_db.follows and g.sql_db.feeds
    g.assert_second_matches_sql()


def test_users_inside_the_gates_read_the_second_store_and_the_others_read_sql(g: Gated) -> None:
    g.open_gates(50)
    users = [g.user() for _ in range(12)]
    reads: list[tuple[str, Callable[[Gated, User], object]]] = [
        (FOLLOWS_GATE, follow_lists),
        (FEEDS_GATE, whole_feed),
    ]
    for gate, _ in reads:
        inside = [u for u in users if g.inside(gate, u)]
        assert inside and len(inside) < len(users)  # both halves are there to read
    write_a_social_graph(g, users)
    g.settle()
    g.second_db.available = False
    for user in users:
        for gate, read in reads:
            if g.inside(gate, user):
                with pytest.raises(Unavailable, match="switched off"):
                    read(g, user)
            else:
                read(g, user)


def test_rolling_the_gates_back_to_zero_serves_everyone_everything_they_wrote_from_sql(
    g: Gated,
) -> None:
    g.open_gates(50)
    users = [g.user() for _ in range(10)]
    kept = write_a_social_graph(g, users)
    g.settle()
    at_fifty = {u.id: everything_read(g, u) for u in users}
    for gate in (FOLLOWS_GATE, FEEDS_GATE):
        g.c.gatekeeper().roll_back(gate)
    g.second_db.available = False  # so any read still sent there would fail
    for user in users:
        assert everything_read(g, user) == at_fifty[user.id]
        followers, followings, feed = at_fifty[user.id]
        assert set(kept[user.id]) <= set(feed)
        assert all(set(kept[f]) <= set(feed) for f in followings)
    assert users[1].id not in at_fifty[users[0].id][1]


def test_an_outage_of_the_second_store_loses_no_write_and_its_mirror_jobs_land_after_it(
    g: Gated,
) -> None:
    g.open_gates(50)
    users = [g.user() for _ in range(6)]
    g.second_db.available = False
    kept = write_a_social_graph(g, users)  # every write answered normally
    worker = g.queue.consume(g.c.fanout().run)
    try:
        assert g.c.dispatcher().settle(10)
        dead = g.c.dispatcher().dead()
        # The queue retried each mirror job with back-off, then dead-lettered it.
        assert {d.job.kind for d in dead} >= {JobKind.MIRROR_FOLLOWS, JobKind.MIRROR_FEED_TWEET}
        assert all("switched off" in d.error and d.attempts == 3 for d in dead)
        g.second_db.available = True
        assert g.c.dispatcher().retry_dead() == len(dead)
        assert g.c.dispatcher().settle(10)
        assert g.c.dispatcher().dead() == []
    finally:
        worker.stop()
    g.assert_second_matches_sql()
    assert all(set(kept[u.id]) <= set(whole_feed(g, u)) for u in users)


# Races: `before(operation, ...)` on a second store runs a step just before its next write.


def test_a_late_follow_mirror_cannot_bring_back_an_edge_unfollowed_meanwhile(g: Gated) -> None:
    g.open_gates(100)
    fan, star = g.user(), g.user()
    g.second_db.available = False
    g.follow(fan, star)  # its mirror job waits in the outbox
    g.second_db.available = True
    # The late job has read "fan follows star"; before its write lands, fan unfollows and
    # that is mirrored at once. The late write lands after it, then its check undoes it.
    g.second_follows.before("add", lambda: g.c.following().unfollow(fan.id, star.id))
    g.settle()
    assert g.second_follows.get(fan.id, star.id) is None
    g.assert_second_matches_sql()


def test_a_feed_rebuilt_while_a_refollow_is_mirrored_is_dropped_and_then_rebuilt_whole(
    g: Gated,
) -> None:
    g.open_gates(100)
    reader, author = g.user(), g.user()
    posted = [g.post(author, f"tweet {n}") for n in range(3)]
    g.settle()
    g.second_db.available = False
    g.follow(reader, author)  # SQL has the three tweets in the feed; the mirror waits
    g.second_db.available = True
    rebuilt: list[list[int]] = []
    # Between the mirror's removal of the author's entries and its add, the reader's
    # feed list is rebuilt from the second store, without them.
    g.second_feeds.before("add_many", lambda: rebuilt.append(g.feed_ids(reader)))
    g.settle()
    assert rebuilt == [[]]
    assert g.feed_ids(reader) == posted[::-1]


def test_a_down_gate_store_sends_reads_to_sql_and_keeps_mirroring_writes(g: Gated) -> None:
    g.open_gates(100)
    fan, star = g.user(), g.user()
    g.c.gate_store().available = False
    g.follow(fan, star)
    assert g.second_follows.get(fan.id, star.id) is not None
    g.second_db.available = False
    assert follow_lists(g, fan)[1] == [star.id]


def test_a_gate_at_zero_keeps_mirroring_while_someone_is_on_its_allow_list(g: Gated) -> None:
    staff, fan, star = g.user(), g.user(), g.user()
    g.open_gates(50, allow=[staff.id])
    for gate in (FOLLOWS_GATE, FEEDS_GATE):
        g.c.gatekeeper().roll_back(gate)
    g.follow(fan, star)
    tweet = g.post(star)
    g.settle()
    assert g.second_follows.get(fan.id, star.id) is not None
    assert g.second_feeds.tweet_ids(fan.id, Window()) == [tweet]
    g.second_db.available = False
    assert whole_feed(g, fan) == [tweet]  # from SQL: only staff read the second store
    with pytest.raises(Unavailable):
        whole_feed(g, staff)


def test_while_the_gates_are_closed_nothing_is_mirrored(g: Gated) -> None:
    fan, star = g.user(), g.user()
    g.follow(fan, star)
    g.post(star)
    g.settle()
    assert g.second_db.follows == {} and g.second_db.feeds == {}


def test_without_a_second_store_the_gates_change_nothing(h: Harness) -> None:
    for gate in (FOLLOWS_GATE, FEEDS_GATE):
        h.c.gatekeeper().set_gate(gate, 100)
    fan, star = h.user(), h.user()
    h.follow(fan, star)
    tweet = h.post(star)
    kinds: list[JobKind] = []

    def run(job: Job) -> None:
        kinds.append(job.kind)
        h.c.fanout().run(job)

    h.queue.drain(run)
    assert h.feed_ids(fan) == [tweet]
    assert set(kinds) == {JobKind.FANOUT, JobKind.FANOUT_BATCH}


@pytest.mark.parametrize("kind", [JobKind.MIRROR_FOLLOWS, JobKind.MIRROR_FEED_AUTHOR])
def test_a_mirror_job_survives_the_trip_through_a_queue_payload(kind: JobKind) -> None:
    job = Job(id=12, kind=kind, tweet_id=0, author_id=2**62, reader_ids=(7, 8))
    assert Job.from_payload(json.loads(json.dumps(job.to_payload()))) == job
