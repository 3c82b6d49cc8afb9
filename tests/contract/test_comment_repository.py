"""Contract of CommentRepository: replies under tweets, paged oldest first, exact likes."""

from __future__ import annotations

from core.domain.paging import Window
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users
from tests.contract.windows import WindowCase, window_cases


def test_an_added_comment_reads_back_equal(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comment = make.comment(tweet.id, user.id, content="nice one")
        uow.comments.add(comment)
        assert uow.comments.get(comment.id) == comment


def test_an_unknown_comment_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        assert uow.comments.get(make.new_id()) is None


def test_update_saves_content_and_updated_at_but_not_likes(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comment = make.comment(tweet.id, user.id)
        uow.comments.add(comment)
        uow.comments.change_likes(comment.id, 2)
        comment.edit("edited words", make.clock.advance(seconds=5.5))
        uow.comments.update(comment)
        stored = uow.comments.get(comment.id)
        assert stored is not None
        assert (stored.content, stored.updated_at) == ("edited words", comment.updated_at)
        assert (stored.created_at, stored.likes_count) == (comment.created_at, 2)


def test_a_deleted_comment_is_gone_and_deleting_again_is_harmless(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comment = make.comment(tweet.id, user.id)
        uow.comments.add(comment)
        assert uow.comments.delete(comment.id) is True
        assert uow.comments.delete(comment.id) is False
        assert uow.comments.get(comment.id) is None


@window_cases()
def test_list_for_tweet_pages_one_tweets_comments_by_id(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        tweet, other = add_tweets(uow, make, alice.id, 2)
        ids = []
        for user in (alice, bob, bob, alice, bob):
            comment = make.comment(tweet.id, user.id)
            uow.comments.add(comment)
            ids.append(comment.id)
            uow.comments.add(make.comment(other.id, user.id))
        listed = uow.comments.list_for_tweet(tweet.id, case.window(ids))
        assert [c.id for c in listed] == case.expected(ids)


def test_list_for_tweet_returns_whole_comments(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comments = [make.comment(tweet.id, user.id) for _ in range(2)]
        for comment in comments:
            uow.comments.add(comment)
        assert uow.comments.list_for_tweet(tweet.id, Window.oldest()) == comments


def test_delete_for_tweet_removes_its_comments_and_names_them(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        tweet, other = add_tweets(uow, make, user.id, 2)
        doomed = [make.comment(tweet.id, user.id) for _ in range(3)]
        kept = make.comment(other.id, user.id)
        for comment in [*doomed, kept]:
            uow.comments.add(comment)
        assert sorted(uow.comments.delete_for_tweet(tweet.id)) == [c.id for c in doomed]
        assert uow.comments.list_for_tweet(tweet.id, Window()) == []
        assert uow.comments.get(kept.id) == kept
        assert uow.comments.delete_for_tweet(tweet.id) == []


def test_change_likes_adds_and_never_goes_below_zero(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comment = make.comment(tweet.id, user.id)
        uow.comments.add(comment)
        uow.comments.change_likes(comment.id, 2)
        for _ in range(4):
            uow.comments.change_likes(comment.id, -1)
        uow.comments.change_likes(comment.id, 1)
        stored = uow.comments.get(comment.id)
        assert stored is not None and stored.likes_count == 1


def test_changing_a_returned_comment_does_not_change_the_store(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comment = make.comment(tweet.id, user.id, content="original")
        uow.comments.add(comment)
        comment.edit("changed after add", make.clock.now())
        returned = uow.comments.get(comment.id)
        assert returned is not None
        returned.edit("changed after get", make.clock.now())
        stored = uow.comments.get(comment.id)
        assert stored is not None and stored.content == "original"


def test_change_likes_tells_whether_the_comment_exists(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        comment, doomed = make.comment(tweet.id, user.id), make.comment(tweet.id, user.id)
        uow.comments.add(comment)
        uow.comments.add(doomed)
        uow.comments.delete(doomed.id)
        # A decrement clamped at zero changes no value, yet matches the row.
        assert uow.comments.change_likes(comment.id, -1) is True
        assert uow.comments.change_likes(doomed.id, 1) is False
        assert uow.comments.change_likes(make.new_id(), 1) is False
        assert uow.comments.get(doomed.id) is None
