"""Contract of FollowStore: follow edges read from both sides, batched and counted."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from adapters.hbase import HBaseFollowStore, hbase_pool_resource
from core.domain.errors import Unavailable
from core.domain.ids import MAX_ID, compose, micros_of
from core.domain.paging import Window
from core.domain.social import Follow
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import (
    BOUNDARY_FAN_IDS,
    BOUNDARY_IDS,
    BOUNDARY_USER_ID,
    Maker,
    add_users,
    edge,
)
from tests.contract.hbase_backends import SessionTables, dropping_gateway
from tests.contract.windows import WindowCase, walk, window_cases


@pytest.fixture
def uow(graph_uow: UnitOfWork) -> UnitOfWork:
    """Every case runs on HBase too: `graph_uow` adds it to the relational backends."""
    return graph_uow


def test_adding_an_edge_stores_it(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        follow = make.follow(alice.id, bob.id)
        assert uow.follows.add(follow) is True
        assert uow.follows.get(alice.id, bob.id) == follow


def test_adding_an_existing_edge_answers_false_and_changes_nothing(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        first = make.follow(alice.id, bob.id)
        uow.follows.add(first)
        assert uow.follows.add(make.follow(alice.id, bob.id)) is False
        assert uow.follows.get(alice.id, bob.id) == first
        assert uow.follows.count_followers(bob.id) == 1


def test_an_edge_has_a_direction(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        uow.follows.add(make.follow(alice.id, bob.id))
        assert uow.follows.get(bob.id, alice.id) is None


def test_removing_an_edge_answers_true_then_false(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        uow.follows.add(make.follow(alice.id, bob.id))
        assert uow.follows.remove(alice.id, bob.id) is True
        assert uow.follows.remove(alice.id, bob.id) is False
        assert uow.follows.get(alice.id, bob.id) is None


def test_removing_an_edge_that_never_existed_answers_false(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        assert uow.follows.remove(alice.id, bob.id) is False


@window_cases()
def test_followers_pages_edges_into_a_user_by_follow_id(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        star, other, *fans = add_users(uow, make, 7)
        ids = []
        for fan in fans:
            follow = make.follow(fan.id, star.id)
            uow.follows.add(follow)
            ids.append(follow.id)
            uow.follows.add(make.follow(fan.id, other.id))  # an edge into someone else
        listed = uow.follows.followers(star.id, case.window(ids))
        assert [f.id for f in listed] == case.expected(ids)


@window_cases()
def test_followings_pages_edges_out_of_a_user_by_follow_id(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        fan, other, *stars = add_users(uow, make, 7)
        ids = []
        for star in stars:
            follow = make.follow(fan.id, star.id)
            uow.follows.add(follow)
            ids.append(follow.id)
            uow.follows.add(make.follow(other.id, star.id))  # an edge out of someone else
        listed = uow.follows.followings(fan.id, case.window(ids))
        assert [f.id for f in listed] == case.expected(ids)


def test_followers_and_followings_return_whole_edges(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        follow = make.follow(alice.id, bob.id)
        uow.follows.add(follow)
        assert uow.follows.followers(bob.id, Window()) == [follow]
        assert uow.follows.followings(alice.id, Window()) == [follow]
        assert uow.follows.followers(alice.id, Window()) == []


def test_follower_ids_are_ascending_user_ids_after_the_given_one(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        star, *fans = add_users(uow, make, 5)
        for fan in reversed(fans):  # follow order differs from user id order
            uow.follows.add(make.follow(fan.id, star.id))
        fan_ids = [f.id for f in fans]
        assert uow.follows.follower_ids(star.id, None, 10) == fan_ids
        assert uow.follows.follower_ids(star.id, fan_ids[1], 10) == fan_ids[2:]
        assert uow.follows.follower_ids(star.id, None, 2) == fan_ids[:2]


def test_follower_ids_in_batches_visit_every_follower_once(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        star, *fans = add_users(uow, make, 8)
        for fan in fans:
            uow.follows.add(make.follow(fan.id, star.id))
        seen: list[int] = []
        after: int | None = None
        while batch := uow.follows.follower_ids(star.id, after, 3):
            seen.extend(batch)
            after = batch[-1]
        assert seen == [f.id for f in fans]


def test_follower_ids_of_a_user_nobody_follows_is_empty(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (loner,) = add_users(uow, make, 1)
        assert uow.follows.follower_ids(loner.id, None, 10) == []


def test_count_followers_follows_adds_and_removes(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        star, a, b, c = add_users(uow, make, 4)
        assert uow.follows.count_followers(star.id) == 0
        for fan in (a, b, c):
            uow.follows.add(make.follow(fan.id, star.id))
        uow.follows.add(make.follow(star.id, a.id))
        uow.follows.remove(b.id, star.id)
        assert uow.follows.count_followers(star.id) == 2


def test_followed_among_picks_the_candidates_that_are_followed(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        me, a, b, c = add_users(uow, make, 4)
        uow.follows.add(make.follow(me.id, a.id))
        uow.follows.add(make.follow(me.id, c.id))
        uow.follows.add(make.follow(b.id, me.id))
        assert uow.follows.followed_among(me.id, [a.id, b.id, c.id, make.new_id()]) == {a.id, c.id}


def test_followers_among_picks_the_candidates_that_follow(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        star, a, b, c = add_users(uow, make, 4)
        uow.follows.add(make.follow(a.id, star.id))
        uow.follows.add(make.follow(c.id, star.id))
        uow.follows.add(make.follow(star.id, b.id))
        candidates = [a.id, b.id, c.id, make.new_id()]
        assert uow.follows.followers_among(star.id, candidates) == {a.id, c.id}
        assert uow.follows.followers_among(star.id, []) == set()


def test_followed_among_no_candidates_is_empty(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, a = add_users(uow, make, 2)
        uow.follows.add(make.follow(me.id, a.id))
        assert uow.follows.followed_among(me.id, []) == set()


def test_adding_an_existing_edge_again_lists_it_once(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        first = make.follow(alice.id, bob.id)
        uow.follows.add(first)
        uow.follows.add(first)
        uow.follows.add(make.follow(alice.id, bob.id))
        assert uow.follows.followers(bob.id, Window()) == [first]
        assert uow.follows.followings(alice.id, Window()) == [first]
        assert uow.follows.follower_ids(bob.id, None, 10) == [alice.id]


def test_a_removed_edge_leaves_every_list(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob, carol = add_users(uow, make, 3)
        uow.follows.add(make.follow(alice.id, bob.id))
        kept = make.follow(carol.id, bob.id)
        uow.follows.add(kept)
        uow.follows.remove(alice.id, bob.id)
        assert uow.follows.followers(bob.id, Window()) == [kept]
        assert uow.follows.followings(alice.id, Window()) == []
        assert uow.follows.follower_ids(bob.id, None, 10) == [carol.id]
        assert uow.follows.followed_among(alice.id, [bob.id]) == set()
        assert uow.follows.count_followers(bob.id) == 1


def test_following_again_after_unfollowing_makes_a_new_edge(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        uow.follows.add(make.follow(alice.id, bob.id))
        uow.follows.remove(alice.id, bob.id)
        again = make.follow(alice.id, bob.id)
        assert uow.follows.add(again) is True
        assert uow.follows.get(alice.id, bob.id) == again
        assert uow.follows.followers(bob.id, Window()) == [again]
        assert uow.follows.followings(alice.id, Window()) == [again]
        assert uow.follows.follower_ids(bob.id, None, 10) == [alice.id]
        assert uow.follows.count_followers(bob.id) == 1


def test_follows_made_in_the_same_microsecond_page_by_id(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (star,) = add_users(uow, make, 1)
        micros = micros_of(make.clock.now())
        ids = sorted(
            compose(micros + dm, worker, seq)
            for dm, worker, seq in [(0, 0, 0), (0, 0, 1), (0, 0, 255), (0, 3, 0), (0, 15, 255)]
            + [(-1, 15, 255), (1, 0, 0)]
        )
        for follow_id in random.Random(7).sample(ids, len(ids)):
            uow.follows.add(edge(follow_id, make.new_id(), star.id))
        read = lambda w: [f.id for f in uow.follows.followers(star.id, w)]  # noqa: E731
        assert walk(read, newest_first=True) == ids[::-1]
        assert walk(read, newest_first=False) == ids


def test_follow_ids_near_the_top_of_the_id_range_keep_their_order(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (star,) = add_users(uow, make, 1)
        ids = [1, 2**32, 2**62, MAX_ID - 1, MAX_ID]
        for follow_id in ids:
            uow.follows.add(edge(follow_id, make.new_id(), star.id))
        listed = lambda w: [f.id for f in uow.follows.followers(star.id, w)]  # noqa: E731
        assert listed(Window(limit=10)) == ids[::-1]
        assert listed(Window(limit=5, lower=MAX_ID - 1, newest_first=False)) == [MAX_ID]
        assert listed(Window(limit=1, upper=MAX_ID)) == [MAX_ID - 1, 2**62]
        assert listed(Window(limit=9, lower=2**32, upper=MAX_ID)) == [MAX_ID - 1, 2**62]
        oldest_first = Window(limit=9, lower=2**62, newest_first=False)
        assert listed(oldest_first) == [MAX_ID - 1, MAX_ID]
        oldest_first = Window(limit=9, lower=1, upper=MAX_ID, newest_first=False)
        assert listed(oldest_first) == [2**32, 2**62, MAX_ID - 1]


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest_first", "oldest_first"])
def test_followers_page_across_region_boundaries_with_cursors(
    uow: UnitOfWork, newest_first: bool
) -> None:
    with uow:
        order = random.Random(3).sample(range(len(BOUNDARY_IDS)), len(BOUNDARY_IDS))
        for k in order:
            uow.follows.add(edge(BOUNDARY_IDS[k], BOUNDARY_FAN_IDS[k], BOUNDARY_USER_ID))
        read = lambda w: [f.id for f in uow.follows.followers(BOUNDARY_USER_ID, w)]  # noqa: E731
        expected = BOUNDARY_IDS[::-1] if newest_first else BOUNDARY_IDS
        assert walk(read, newest_first=newest_first) == expected


@pytest.mark.parametrize("newest_first", [True, False], ids=["newest_first", "oldest_first"])
def test_followings_page_across_region_boundaries_with_cursors(
    uow: UnitOfWork, newest_first: bool
) -> None:
    with uow:
        for k in range(len(BOUNDARY_IDS)):
            uow.follows.add(edge(BOUNDARY_IDS[k], BOUNDARY_USER_ID, BOUNDARY_FAN_IDS[k]))
        read = lambda w: [f.id for f in uow.follows.followings(BOUNDARY_USER_ID, w)]  # noqa: E731
        expected = BOUNDARY_IDS[::-1] if newest_first else BOUNDARY_IDS
        assert walk(read, newest_first=newest_first, limit=3) == expected


def test_follower_id_batches_cross_region_boundaries(uow: UnitOfWork) -> None:
    with uow:
        for k in reversed(range(len(BOUNDARY_IDS))):
            uow.follows.add(edge(BOUNDARY_IDS[k], BOUNDARY_FAN_IDS[k], BOUNDARY_USER_ID))
        seen: list[int] = []
        after: int | None = None
        while batch := uow.follows.follower_ids(BOUNDARY_USER_ID, after, 2):
            seen.extend(batch)
            after = batch[-1]
        assert seen == BOUNDARY_FAN_IDS


# HBase only: the follow store's races, each forced by running a rival store between two steps
# of the store under test (see the rules in HBaseFollowStore's docstring).


@pytest.fixture
def hbase(hbase_tables: SessionTables) -> SessionTables:
    hbase_tables.empty()
    return hbase_tables


class BeforeNextWrite:
    """A store's gateway that lets a rival act just before the store's next write reaches
    HBase, after the store's reads: where a read-then-write store would go wrong."""

    def __init__(self, gateway: Any, rival: Callable[[], object]) -> None:
        self._gateway = gateway
        self._rival: Callable[[], object] | None = rival

    def __getattr__(self, name: str) -> Any:
        return getattr(self._gateway, name)

    def check_and_put(self, *args: Any) -> bool:
        self._let_rival_go()
        return bool(self._gateway.check_and_put(*args))

    def mutate(self, *args: Any, **kwargs: Any) -> None:
        self._let_rival_go()
        self._gateway.mutate(*args, **kwargs)

    def _let_rival_go(self) -> None:
        rival, self._rival = self._rival, None
        if rival is not None:
            rival()


def racing(store: HBaseFollowStore, rival: Callable[[], object]) -> HBaseFollowStore:
    store._db = BeforeNextWrite(store._db, rival)  # type: ignore[assignment]
    return store


@pytest.mark.integration
def test_of_two_follows_racing_for_one_pair_one_wins_and_it_counts_once(
    hbase: SessionTables, make: Maker
) -> None:
    alice, bob = make.new_id(), make.new_id()
    mine, theirs = make.follow(alice, bob), make.follow(alice, bob)
    rival = hbase.follow_store()
    store = racing(hbase.follow_store(), lambda: rival.add(theirs))
    assert store.add(mine) is False
    assert rival.get(alice, bob) == theirs
    assert rival.followers(bob, Window()) == [theirs]
    assert rival.follower_ids(bob, None, 10) == [alice]
    assert rival.count_followers(bob) == 1


@pytest.mark.integration
def test_of_two_unfollows_racing_for_one_edge_one_wins_and_it_counts_once(
    hbase: SessionTables, make: Maker
) -> None:
    alice, bob, carol = make.new_id(), make.new_id(), make.new_id()
    rival = hbase.follow_store()
    rival.add(make.follow(alice, bob))
    rival.add(make.follow(carol, bob))
    store = racing(hbase.follow_store(), lambda: rival.remove(alice, bob))
    assert store.remove(alice, bob) is False
    assert rival.count_followers(bob) == 1
    assert rival.follower_ids(bob, None, 10) == [carol]


@pytest.mark.integration
def test_an_unfollow_between_a_follows_claim_and_its_list_rows_leaves_no_trace(
    hbase: SessionTables, make: Maker
) -> None:
    alice, bob, carol = make.new_id(), make.new_id(), make.new_id()
    rival = hbase.follow_store()
    kept = make.follow(carol, bob)
    rival.add(kept)

    class SlowFollow(HBaseFollowStore):
        def _write_lists(self, follow: Follow) -> None:
            assert rival.remove(follow.follower_id, follow.followee_id) is True
            super()._write_lists(follow)  # lands after the unfollow's deletes

    assert hbase.follow_store(SlowFollow).add(make.follow(alice, bob)) is True
    assert rival.get(alice, bob) is None
    assert rival.followers(bob, Window()) == [kept]
    assert rival.followings(alice, Window()) == []
    assert rival.follower_ids(bob, None, 10) == [carol]
    assert rival.count_followers(bob) == 1


@pytest.mark.integration
def test_a_refollow_racing_the_old_edges_deletes_keeps_the_new_edge_whole(
    hbase: SessionTables, make: Maker
) -> None:
    alice, bob, carol = make.new_id(), make.new_id(), make.new_id()
    rival = hbase.follow_store()
    old, kept = make.follow(alice, bob), make.follow(carol, bob)
    rival.add(old)
    rival.add(kept)
    again = make.follow(alice, bob)

    class SlowUnfollow(HBaseFollowStore):
        def _delete_lists(self, follow: Follow) -> None:
            assert rival.add(again) is True  # the re-follow claims the tombstone first
            super()._delete_lists(follow)

    assert hbase.follow_store(SlowUnfollow).remove(alice, bob) is True
    assert rival.get(alice, bob) == again
    assert rival.followers(bob, Window()) == [again, kept]
    assert rival.followings(alice, Window()) == [again]
    assert rival.follower_ids(bob, None, 10) == sorted([alice, carol])
    assert rival.count_followers(bob) == 2


class DiesBeforeDeleting(HBaseFollowStore):
    """A worker that dies after claiming a removal, before deleting the list rows."""

    def _delete_lists(self, follow: Follow) -> None:
        raise RuntimeError("the worker died here")


@pytest.mark.integration
def test_a_removal_that_died_half_way_is_finished_by_the_next_follow(
    hbase: SessionTables, make: Maker
) -> None:
    alice, bob = make.new_id(), make.new_id()
    store = hbase.follow_store()
    store.add(make.follow(alice, bob))
    with pytest.raises(RuntimeError):
        hbase.follow_store(DiesBeforeDeleting).remove(alice, bob)
    assert store.get(alice, bob) is None
    again = make.follow(alice, bob)
    assert store.add(again) is True
    assert store.followers(bob, Window()) == [again]
    assert store.followings(alice, Window()) == [again]
    assert store.follower_ids(bob, None, 10) == [alice]


@pytest.mark.integration
def test_a_removal_that_died_half_way_is_finished_by_the_next_unfollow(
    hbase: SessionTables, make: Maker
) -> None:
    alice, bob = make.new_id(), make.new_id()
    store = hbase.follow_store()
    store.add(make.follow(alice, bob))
    with pytest.raises(RuntimeError):
        hbase.follow_store(DiesBeforeDeleting).remove(alice, bob)
    assert store.remove(alice, bob) is False
    assert store.followers(bob, Window()) == []
    assert store.followings(alice, Window()) == []
    assert store.follower_ids(bob, None, 10) == []


def test_a_follow_store_whose_gateway_drops_every_connection_raises_unavailable() -> None:
    with dropping_gateway() as port:
        resource = hbase_pool_resource("127.0.0.1", port, size=1, timeout_ms=2000)
        store = HBaseFollowStore(next(resource), "chirp_gone_")
        with pytest.raises(Unavailable):
            store.add(edge(1, 2, 3))
        with pytest.raises(Unavailable):
            store.followers(3, Window())
