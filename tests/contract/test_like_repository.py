"""Contract of LikeRepository: at most one like per user and target, read in bulk."""

from __future__ import annotations

from core.domain.social import TargetType
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users

TWEET, COMMENT = TargetType.TWEET, TargetType.COMMENT


def test_adding_a_like_stores_it(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        like = make.like(user.id, tweet.id)
        assert uow.likes.add(like) is True
        assert uow.likes.get(user.id, TWEET, tweet.id) == like


def test_liking_again_answers_false_and_keeps_the_first_like(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        first = make.like(user.id, tweet.id)
        uow.likes.add(first)
        assert uow.likes.add(make.like(user.id, tweet.id)) is False
        assert uow.likes.get(user.id, TWEET, tweet.id) == first
        assert uow.likes.list_for(TWEET, tweet.id, 10) == [first]


def test_a_like_of_a_tweet_is_not_a_like_of_a_comment_with_the_same_id(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        uow.likes.add(make.like(user.id, tweet.id, TWEET))
        assert uow.likes.get(user.id, COMMENT, tweet.id) is None
        assert uow.likes.add(make.like(user.id, tweet.id, COMMENT)) is True


def test_an_unknown_like_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        assert uow.likes.get(user.id, TWEET, make.new_id()) is None


def test_removing_a_like_answers_true_then_false(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        uow.likes.add(make.like(user.id, tweet.id))
        assert uow.likes.remove(user.id, TWEET, tweet.id) is True
        assert uow.likes.remove(user.id, TWEET, tweet.id) is False
        assert uow.likes.get(user.id, TWEET, tweet.id) is None


def test_liked_ids_picks_the_targets_the_user_likes(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        me, other = add_users(uow, make, 2)
        a, b, c = add_tweets(uow, make, other.id, 3)
        uow.likes.add(make.like(me.id, a.id))
        uow.likes.add(make.like(me.id, c.id))
        uow.likes.add(make.like(other.id, b.id))
        uow.likes.add(make.like(me.id, b.id, COMMENT))
        found = uow.likes.liked_ids(me.id, TWEET, [a.id, b.id, c.id, make.new_id()])
        assert found == {a.id, c.id}
        assert uow.likes.liked_ids(me.id, TWEET, []) == set()


def test_list_for_gives_the_newest_likes_of_a_target_first(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        author, *fans = add_users(uow, make, 5)
        tweet, other = add_tweets(uow, make, author.id, 2)
        likes = [make.like(fan.id, tweet.id) for fan in fans]
        for like in likes:
            uow.likes.add(like)
            uow.likes.add(make.like(like.user_id, other.id))
        assert uow.likes.list_for(TWEET, tweet.id, 10) == likes[::-1]
        assert uow.likes.list_for(TWEET, tweet.id, 2) == [likes[3], likes[2]]


def test_list_for_a_target_nobody_likes_is_empty(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        assert uow.likes.list_for(COMMENT, make.new_id(), 10) == []


def test_delete_for_removes_every_like_of_the_targets_and_counts_them(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        a, b = add_users(uow, make, 2)
        t1, t2, t3 = add_tweets(uow, make, a.id, 3)
        for user in (a, b):
            for tweet in (t1, t2, t3):
                uow.likes.add(make.like(user.id, tweet.id))
        uow.likes.add(make.like(a.id, t1.id, COMMENT))
        assert uow.likes.delete_for(TWEET, [t1.id, t2.id]) == 4
        assert uow.likes.liked_ids(a.id, TWEET, [t1.id, t2.id, t3.id]) == {t3.id}
        assert uow.likes.get(a.id, COMMENT, t1.id) is not None
        assert uow.likes.delete_for(TWEET, [t1.id]) == 0
        assert uow.likes.delete_for(TWEET, []) == 0
