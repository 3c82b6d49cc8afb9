"""Contract of FollowStore: follow edges read from both sides, batched and counted."""

from __future__ import annotations

from core.domain.paging import Window
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_users
from tests.contract.windows import WindowCase, window_cases


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


def test_followed_among_no_candidates_is_empty(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, a = add_users(uow, make, 2)
        uow.follows.add(make.follow(me.id, a.id))
        assert uow.follows.followed_among(me.id, []) == set()
