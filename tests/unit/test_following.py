"""Following: idempotent follow, unfollow, the two lists and has_followed."""

from __future__ import annotations

import pytest

from core.domain.errors import Invalid, NotFound
from core.domain.paging import Window
from tests.unit.harness import Harness


def test_following_twice_creates_the_edge_only_the_first_time_and_keeps_one(h: Harness) -> None:
    a, b = h.user(), h.user()
    first, created1 = h.c.following().follow(a.id, b.id)
    second, created2 = h.c.following().follow(a.id, b.id)
    assert (created1, created2) == (True, False)
    assert first.created_at == second.created_at
    assert len(h.c.following().followers(None, b.id, Window()).results) == 1


def test_nobody_follows_or_unfollows_themselves(h: Harness) -> None:
    a = h.user()
    with pytest.raises(Invalid):
        h.c.following().follow(a.id, a.id)
    with pytest.raises(Invalid):
        h.c.following().unfollow(a.id, a.id)


def test_following_or_unfollowing_an_unknown_user_is_not_found(h: Harness) -> None:
    a = h.user()
    with pytest.raises(NotFound):
        h.c.following().follow(a.id, 424242)
    with pytest.raises(NotFound):
        h.c.following().unfollow(a.id, 424242)


def test_unfollow_says_how_many_edges_went(h: Harness) -> None:
    a, b = h.user(), h.user()
    h.follow(a, b)
    assert h.c.following().unfollow(a.id, b.id) == 1
    assert h.c.following().unfollow(a.id, b.id) == 0


def test_lists_show_the_other_side_newest_first_with_the_viewers_has_followed(h: Harness) -> None:
    star, fan1, fan2, viewer = h.user(), h.user(), h.user(), h.user()
    h.follow(fan1, star)
    h.follow(fan2, star)
    h.follow(viewer, fan1)
    followers = h.c.following().followers(viewer.id, star.id, Window())
    assert [(f.user.id, f.has_followed) for f in followers.results] == [
        (fan2.id, False),
        (fan1.id, True),
    ]
    anonymous = h.c.following().followers(None, star.id, Window())
    assert not any(f.has_followed for f in anonymous.results)
    followings = h.c.following().followings(None, fan1.id, Window())
    assert [f.user.id for f in followings.results] == [star.id]


def test_follow_lists_page_with_cursors(h: Harness) -> None:
    star = h.user()
    fans = [h.user() for _ in range(5)]
    for fan in fans:
        h.follow(fan, star)
    first = h.c.following().followers(None, star.id, Window.newest(limit=3))
    rest = h.c.following().followers(
        None, star.id, Window.newest(limit=3, cursor=first.next_cursor)
    )
    got = [f.user.id for f in first.results + rest.results]
    assert got == [f.id for f in fans][::-1] and not rest.has_next_page
