"""Contract of UnitOfWork: commit keeps a block's changes, anything else rolls them back."""

from __future__ import annotations

import threading

import pytest

from adapters.memory import InMemoryDatabase, InMemoryUnitOfWork
from core.domain.paging import Window
from core.domain.social import TargetType, Verb
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users


class Boom(Exception):
    """Raised inside a block to abandon it."""


def test_committed_changes_are_visible_in_the_next_block(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        uow.commit()
    with uow:
        assert uow.users.get(user.id) == user


def test_changes_are_visible_inside_their_own_block_before_commit(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        assert uow.tweets.get(tweet.id) == tweet


def test_leaving_a_block_without_commit_rolls_back(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
    with uow:
        assert uow.users.get(user.id) is None
        assert uow.users.get_by_username(user.username) is None


def test_an_exception_rolls_back_and_propagates(uow: UnitOfWork, make: Maker) -> None:
    user = make.user()
    with pytest.raises(Boom), uow:
        uow.users.add(user)
        raise Boom()
    with uow:
        assert uow.users.get(user.id) is None


def test_an_exception_after_commit_keeps_what_was_committed(uow: UnitOfWork, make: Maker) -> None:
    kept, lost = make.user(), make.user()
    with pytest.raises(Boom), uow:
        uow.users.add(kept)
        uow.commit()
        uow.users.add(lost)
        raise Boom()
    with uow:
        assert uow.users.get_many([kept.id, lost.id]) == [kept]


def test_a_rolled_back_update_leaves_the_committed_values(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (user,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, user.id, 1)
        uow.tweets.change_counts(tweet.id, likes=1)
        uow.commit()
    with uow:
        uow.tweets.change_counts(tweet.id, likes=5, comments=5)
        tweet.edit("an uncommitted edit", make.clock.now())
        uow.tweets.update(tweet)
        user.deactivate()
        uow.users.update(user)
    with uow:
        stored, stored_user = uow.tweets.get(tweet.id), uow.users.get(user.id)
        assert stored is not None and stored_user is not None
        assert (stored.likes_count, stored.comments_count, stored.edited_at) == (1, 0, None)
        assert stored_user.is_active is True


def test_rollback_covers_every_repository_at_once(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        uow.commit()
    with uow:
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.follows.add(make.follow(reader.id, author.id))
        uow.feeds.add_many([make.feed_item(reader.id, tweet)])
        uow.outbox.add(make.job(tweet.id, author.id))
        uow.notifications.add(
            make.notification(
                author.id, reader.id, reader.id, verb=Verb.FOLLOWED, target_type=TargetType.USER
            )
        )
        uow.likes.add(make.like(reader.id, tweet.id))
    with uow:
        assert uow.tweets.get(tweet.id) is None
        assert uow.follows.get(reader.id, author.id) is None
        assert uow.feeds.tweet_ids(reader.id, Window()) == []
        assert uow.outbox.pending(10) == []
        assert uow.notifications.unread_count(author.id) == 0
        assert uow.likes.liked_ids(reader.id, TargetType.TWEET, [tweet.id]) == set()


def test_one_unit_of_work_serves_many_blocks_in_turn(uow: UnitOfWork, make: Maker) -> None:
    users = []
    for _ in range(3):
        with uow:
            users.extend(add_users(uow, make, 1))
            uow.commit()
    with uow:
        assert uow.users.get_many([u.id for u in users]) == users


# The memory fake's own promises: two units of work over one database act like two
# connections, and a block excludes other threads for its whole length.


def test_memory_units_over_one_database_see_each_others_commits(make: Maker) -> None:
    db = InMemoryDatabase()
    writer, reader = InMemoryUnitOfWork(db), InMemoryUnitOfWork(db)
    user = make.user()
    with writer:
        writer.users.add(user)
        writer.commit()
    with reader:
        assert reader.users.get(user.id) == user


def test_memory_block_holds_other_threads_until_it_ends(make: Maker) -> None:
    db = InMemoryDatabase()
    mine, theirs = InMemoryUnitOfWork(db), InMemoryUnitOfWork(db)
    seen: list[int] = []

    def other_thread() -> None:
        with theirs:
            seen.append(len(theirs.users.get_many([user.id])))

    user = make.user()
    with mine:
        mine.users.add(user)
        worker = threading.Thread(target=other_thread)
        worker.start()
        worker.join(timeout=0.2)
        assert worker.is_alive()  # still waiting for the lock
        mine.commit()
    worker.join(timeout=5)
    assert seen == [1]


def test_memory_commit_outside_a_block_is_a_mistake() -> None:
    with pytest.raises(RuntimeError):
        InMemoryUnitOfWork().commit()
