"""Contract of TweetRepository: tweets with photos, exact counts, paging by author."""

from __future__ import annotations

from dataclasses import replace

from core.domain.paging import Window
from core.ports.unit_of_work import UnitOfWork
from tests.contract.builders import Maker, add_tweets, add_users
from tests.contract.windows import WindowCase, window_cases


def test_an_added_tweet_reads_back_equal_with_its_photos(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        tweet = make.tweet(author.id, photos=3)
        uow.tweets.add(tweet)
        assert uow.tweets.get(tweet.id) == tweet


def test_photos_come_back_in_position_order_whatever_order_they_were_given(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        tweet = make.tweet(author.id, photos=4)
        shuffled = replace(tweet, photos=tuple(reversed(tweet.photos)))
        uow.tweets.add(shuffled)
        stored = uow.tweets.get(tweet.id)
        assert stored is not None
        assert [p.position for p in stored.photos] == [0, 1, 2, 3]
        assert stored.photos == tweet.photos


def test_an_unknown_tweet_gives_none(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        assert uow.tweets.get(make.new_id()) is None


def test_get_many_keeps_the_requested_order_and_skips_missing(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        a, b, c = add_tweets(uow, make, author.id, 3)
        found = uow.tweets.get_many([b.id, make.new_id(), c.id, a.id])
        assert found == [b, c, a]


def test_get_many_of_nothing_is_empty(uow: UnitOfWork) -> None:
    with uow:
        assert uow.tweets.get_many([]) == []


def test_update_saves_content_and_edited_at(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        tweet.edit("an edited tweet", make.clock.advance(seconds=30.25))
        uow.tweets.update(tweet)
        assert uow.tweets.get(tweet.id) == tweet


def test_update_leaves_counts_and_photos_alone(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        tweet = make.tweet(author.id, photos=2)
        uow.tweets.add(tweet)
        uow.tweets.change_counts(tweet.id, likes=2, comments=1)
        tweet.edit("edited from a stale copy", make.clock.now())
        uow.tweets.update(tweet)
        stored = uow.tweets.get(tweet.id)
        assert stored is not None
        assert (stored.likes_count, stored.comments_count) == (2, 1)
        assert stored.photos == tweet.photos
        assert stored.content == "edited from a stale copy"


def test_a_deleted_tweet_is_gone_and_deleting_again_is_harmless(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        doomed = make.tweet(author.id, photos=2)
        uow.tweets.add(doomed)
        (kept,) = add_tweets(uow, make, author.id, 1)
        assert uow.tweets.delete(doomed.id) is True
        assert uow.tweets.delete(doomed.id) is False
        assert uow.tweets.get(doomed.id) is None
        assert uow.tweets.get_many([doomed.id, kept.id]) == [kept]
        assert uow.tweets.named_photo_keys([p.key for p in doomed.photos]) == set()


def test_change_counts_adds_to_likes_and_comments(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.tweets.change_counts(tweet.id, likes=1)
        uow.tweets.change_counts(tweet.id, likes=2, comments=3)
        uow.tweets.change_counts(tweet.id, comments=-1)
        stored = uow.tweets.get(tweet.id)
        assert stored is not None
        assert (stored.likes_count, stored.comments_count) == (3, 2)


def test_change_counts_tells_whether_the_tweet_exists(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        tweet, doomed = add_tweets(uow, make, author.id, 2)
        uow.tweets.delete(doomed.id)
        assert uow.tweets.change_counts(tweet.id, likes=1) is True
        assert uow.tweets.change_counts(make.new_id(), likes=1, comments=1) is False
        assert uow.tweets.change_counts(doomed.id, comments=-1) is False
        assert uow.tweets.get_many([doomed.id]) == []


def test_change_counts_finds_a_tweet_even_when_no_count_moves(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        # A decrement clamped at zero and a zero delta change no value, yet match the row.
        assert uow.tweets.change_counts(tweet.id, likes=-1, comments=-1) is True
        assert uow.tweets.change_counts(tweet.id) is True
        stored = uow.tweets.get(tweet.id)
        assert stored is not None
        assert (stored.likes_count, stored.comments_count) == (0, 0)


def test_counts_never_go_below_zero_under_repeated_decrements(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        (tweet,) = add_tweets(uow, make, author.id, 1)
        uow.tweets.change_counts(tweet.id, likes=1)
        for _ in range(3):
            uow.tweets.change_counts(tweet.id, likes=-1, comments=-1)
        uow.tweets.change_counts(tweet.id, likes=1)
        stored = uow.tweets.get(tweet.id)
        assert stored is not None
        assert (stored.likes_count, stored.comments_count) == (1, 0)


def test_changing_a_returned_tweet_does_not_change_the_store(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        tweet = make.tweet(author.id, content="the original text")
        uow.tweets.add(tweet)
        tweet.edit("changed after add", make.clock.now())
        returned = uow.tweets.get(tweet.id)
        assert returned is not None
        returned.edit("changed after get", make.clock.now())
        returned.likes_count = 99
        stored = uow.tweets.get(tweet.id)
        assert stored is not None
        assert (stored.content, stored.likes_count) == ("the original text", 0)


@window_cases()
def test_list_by_users_pages_the_given_authors_tweets(
    uow: UnitOfWork, make: Maker, case: WindowCase
) -> None:
    with uow:
        alice, bob, carol, outsider = add_users(uow, make, 4)
        ids = []
        for author in (alice, bob, alice, carol, bob):
            ids.append(add_tweets(uow, make, author.id, 1)[0].id)
            add_tweets(uow, make, outsider.id, 1)  # interleaved, never listed
        listed = uow.tweets.list_by_users([alice.id, bob.id, carol.id], case.window(ids))
        assert [t.id for t in listed] == case.expected(ids)


def test_list_by_users_returns_whole_tweets_of_those_users_only(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        alice, bob = add_users(uow, make, 2)
        mine = [make.tweet(alice.id, photos=1) for _ in range(2)]
        for tweet in mine:
            uow.tweets.add(tweet)
        add_tweets(uow, make, bob.id, 2)
        assert uow.tweets.list_by_users([alice.id], Window(limit=10)) == mine[::-1]


def test_list_by_no_users_is_empty(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        add_tweets(uow, make, author.id, 2)
        assert uow.tweets.list_by_users([], Window()) == []


def test_emoji_and_other_scripts_round_trip_in_tweets_and_comments(
    uow: UnitOfWork, make: Maker
) -> None:
    text = "héllo 👋🏽 世界 🐦‍🔥 ok"
    with uow:
        (author,) = add_users(uow, make, 1)
        tweet = make.tweet(author.id, content=text)
        uow.tweets.add(tweet)
        comment = make.comment(tweet.id, author.id, content="🎉" * 140)
        uow.comments.add(comment)
        uow.commit()
    with uow:
        stored, stored_comment = uow.tweets.get(tweet.id), uow.comments.get(comment.id)
    assert stored is not None and stored.content == text
    assert stored_comment is not None and stored_comment.content == "🎉" * 140


def test_named_photo_keys_are_the_asked_keys_some_stored_photo_names(
    uow: UnitOfWork, make: Maker
) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        first, second = make.tweet(author.id, photos=2), make.tweet(author.id, photos=1)
        uow.tweets.add(first)
        uow.tweets.add(second)
        asked = [
            first.photos[1].key,
            "tweets/404/0.jpg",
            second.photos[0].key,
            first.photos[1].key.upper(),
        ]
        assert uow.tweets.named_photo_keys(asked) == {first.photos[1].key, second.photos[0].key}
        assert uow.tweets.named_photo_keys([]) == set()


def test_a_deleted_tweets_photo_keys_are_no_longer_named(uow: UnitOfWork, make: Maker) -> None:
    with uow:
        (author,) = add_users(uow, make, 1)
        doomed = make.tweet(author.id, photos=2)
        uow.tweets.add(doomed)
        uow.tweets.delete(doomed.id)
        assert uow.tweets.named_photo_keys([p.key for p in doomed.photos]) == set()
