"""Contract of FeedStore: one newsfeed entry per (reader, tweet), paged by tweet id."""

from __future__ import annotations

from core.domain.paging import Window
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users
from tests.contract.windows import WindowCase, window_cases


@window_cases()
def test_tweet_ids_pages_one_readers_feed_by_tweet_id(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        reader, other_reader, alice, bob = add_users(uow, make, 4)
        ids = []
        for author in (alice, bob, alice, bob, alice):
            (tweet,) = add_tweets(uow, make, author.id, 1)
            uow.feeds.add_many([make.feed_item(reader.id, tweet)])
            ids.append(tweet.id)
            (elsewhere,) = add_tweets(uow, make, author.id, 1)
            uow.feeds.add_many([make.feed_item(other_reader.id, elsewhere)])
        assert uow.feeds.tweet_ids(reader.id, case.window(ids)) == case.expected(ids)


def test_adding_entries_again_keeps_one_entry_each(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        tweets = add_tweets(uow, make, author.id, 3)
        items = [make.feed_item(reader.id, t) for t in tweets]
        uow.feeds.add_many(items[:2])
        uow.feeds.add_many(items)
        uow.feeds.add_many([items[0], items[0]])
        assert uow.feeds.tweet_ids(reader.id, Window()) == [t.id for t in reversed(tweets)]


def test_adding_no_entries_is_harmless(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (reader,) = add_users(uow, make, 1)
        uow.feeds.add_many([])
        assert uow.feeds.tweet_ids(reader.id, Window()) == []


def test_one_tweet_can_sit_in_many_feeds(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b, author = add_users(uow, make, 3)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.feeds.add_many([make.feed_item(a.id, tweet), make.feed_item(b.id, tweet)])
        assert uow.feeds.tweet_ids(a.id, Window()) == [tweet.id]
        assert uow.feeds.tweet_ids(b.id, Window()) == [tweet.id]


def test_remove_author_drops_only_that_authors_entries_from_one_feed(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        reader, other_reader, alice, bob = add_users(uow, make, 4)
        by_alice = add_tweets(uow, make, alice.id, 3)
        by_bob = add_tweets(uow, make, bob.id, 2)
        uow.feeds.add_many([make.feed_item(reader.id, t) for t in by_alice + by_bob])
        uow.feeds.add_many([make.feed_item(other_reader.id, t) for t in by_alice])
        assert uow.feeds.remove_author(reader.id, alice.id) == 3
        assert uow.feeds.tweet_ids(reader.id, Window()) == [t.id for t in reversed(by_bob)]
        assert len(uow.feeds.tweet_ids(other_reader.id, Window())) == 3


def test_remove_author_with_nothing_to_remove_counts_zero(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, alice = add_users(uow, make, 2)
        assert uow.feeds.remove_author(reader.id, alice.id) == 0


def test_remove_tweet_drops_it_from_the_given_feeds_only(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        a, b, c, author = add_users(uow, make, 4)
        doomed, kept = add_tweets(uow, make, author.id, 2)
        uow.feeds.add_many([make.feed_item(r.id, t) for r in (a, b, c) for t in (doomed, kept)])
        assert uow.feeds.remove_tweet(doomed.id, [a.id, b.id, make.new_id()]) == 2
        assert uow.feeds.tweet_ids(a.id, Window()) == [kept.id]
        assert uow.feeds.tweet_ids(b.id, Window()) == [kept.id]
        assert uow.feeds.tweet_ids(c.id, Window()) == [kept.id, doomed.id]


def test_remove_tweet_twice_counts_zero_the_second_time(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        reader, author = add_users(uow, make, 2)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.feeds.add_many([make.feed_item(reader.id, tweet)])
        assert uow.feeds.remove_tweet(tweet.id, [reader.id]) == 1
        assert uow.feeds.remove_tweet(tweet.id, [reader.id]) == 0
        assert uow.feeds.remove_tweet(tweet.id, []) == 0
