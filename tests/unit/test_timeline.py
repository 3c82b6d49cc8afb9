"""Timeline: cached list, continuation past the cap, exact cursors, since, merging, races."""

from __future__ import annotations

from container import build_container
from core.domain import ids as id_layout
from core.domain.paging import Window, encode_cursor
from core.domain.users import User
from core.ports.list_cache import CachedList
from settings import Settings
from tests.unit.harness import Harness


def test_paging_past_a_full_cache_continues_from_the_store() -> None:
    h = Harness(build_container(Settings(profile="memory", feed_cap=5)))
    author = h.user()
    posted = [h.post(author, f"tweet number {i}") for i in range(12)]
    assert h.all_feed_ids(author, limit=4) == posted[::-1]
    assert h.c.list_cache().get(f"feed:{author.id}") == CachedList(
        ids=posted[::-1][:5], whole=False
    )


def test_a_cache_miss_rebuilds_the_list_from_the_store(h: Harness) -> None:
    author = h.user()
    posted = [h.post(author, f"tweet number {i}") for i in range(3)]
    h.c.list_cache().delete([f"feed:{author.id}"])
    assert h.feed_ids(author) == posted[::-1]
    assert h.c.list_cache().get(f"feed:{author.id}") == CachedList(ids=posted[::-1], whole=True)


def test_a_down_cache_still_serves_the_feed_from_the_store(h: Harness) -> None:
    author = h.user()
    posted = h.post(author)
    h.c.list_cache().available = False
    h.c.object_cache().available = False
    assert h.feed_ids(author) == [posted]


def test_paging_is_exact_when_tweets_arrive_between_pages(h: Harness) -> None:
    author = h.user()
    old = [h.post(author, f"old tweet {i}") for i in range(6)]
    first = h.c.timeline().read_home_feed(author.id, Window.newest(limit=3))
    for i in range(4):
        h.post(author, f"new tweet {i}")
    second = h.c.timeline().read_home_feed(
        author.id, Window.newest(limit=3, cursor=first.next_cursor)
    )
    seen = [e.id for e in first.results] + [e.id for e in second.results]
    assert seen == old[::-1]
    assert not second.has_next_page and second.next_cursor is None


def test_tweets_made_in_the_same_microsecond_are_neither_skipped_nor_repeated(h: Harness) -> None:
    author = h.user()
    posted = [h.post(author, f"same instant {i}") for i in range(7)]  # the fake clock stands
    times = {id_layout.time_of(i) for i in posted}
    assert len(times) == 1
    assert h.all_feed_ids(author, limit=2) == posted[::-1]


def test_since_gives_the_items_just_above_newest_first_then_prev_cursor_goes_on(h: Harness) -> None:
    author = h.user()
    known = h.post(author, "already seen")
    new = [h.post(author, f"new item {i}") for i in range(1, 8)]
    page = h.c.timeline().read_home_feed(
        author.id, Window.newest(limit=5, since=encode_cursor(known))
    )
    assert [e.id for e in page.results] == [new[4], new[3], new[2], new[1], new[0]]
    assert page.has_next_page
    newer = h.c.timeline().read_home_feed(author.id, Window.newest(limit=5, since=page.prev_cursor))
    assert [e.id for e in newer.results] == [new[6], new[5]]
    assert not newer.has_next_page


def test_created_at_lt_pages_by_time_like_a_cursor(h: Harness) -> None:
    author = h.user()
    early = h.post(author, "early bird")
    h.clock.advance(1)
    h.post(author, "later bird")
    window = Window.newest(created_before=h.clock.now())
    assert h.feed_ids(author, window) == [early]


def test_following_backfills_up_to_twenty_recent_tweets(h: Harness) -> None:
    author, reader = h.user(), h.user()
    posted = [h.post(author, f"tweet number {i}") for i in range(25)]
    h.feed_ids(reader)  # caches the empty feed, which the follow must invalidate
    h.follow(reader, author)
    assert h.feed_ids(reader) == posted[::-1][:20]


def test_unfollowing_removes_their_tweets_from_my_feed(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    h.post(author)
    h.drain()
    mine = h.post(reader, "my own tweet")
    h.c.following().unfollow(reader.id, author.id)
    assert h.feed_ids(reader) == [mine]


def test_the_feed_never_repeats_a_tweet_after_refollowing(h: Harness) -> None:
    author, reader = h.user(), h.user()
    tweet_id = h.post(author)
    h.follow(reader, author)
    h.c.following().unfollow(reader.id, author.id)
    h.follow(reader, author)
    h.drain()
    assert h.feed_ids(reader) == [tweet_id]


def test_feed_items_carry_the_viewers_like_and_the_authors_summary(h: Harness) -> None:
    author = h.user("author_01")
    tweet_id = h.post(author)
    h.c.likes().like(author.id, "tweet", tweet_id)
    page = h.c.timeline().read_home_feed(author.id, Window())
    entry = page.results[0]
    assert entry.tweet.has_liked and entry.tweet.tweet.likes_count == 1
    assert entry.tweet.user.username == "author_01"


def test_a_tweet_gone_from_the_store_but_left_in_a_feed_is_skipped(h: Harness) -> None:
    author = h.user()
    kept, gone = h.post(author, "this one stays"), h.post(author, "this one vanishes")
    with h.c.uow_factory()() as uow:  # as if a retraction had not reached this feed yet
        uow.tweets.delete(gone)
        uow.commit()
    h.c.object_cache().delete_many([f"tweet:{gone}"])
    assert h.feed_ids(author) == [kept]


def test_created_at_gt_gives_only_newer_tweets(h: Harness) -> None:
    author = h.user()
    h.post(author, "before the mark")
    mark = h.clock.now()
    h.clock.advance(1)
    later = h.post(author, "after the mark")
    assert h.feed_ids(author, Window.newest(created_after=mark)) == [later]


def test_deleting_a_tweet_from_a_full_cached_feed_keeps_every_other_tweet_reachable() -> None:
    h = Harness(build_container(Settings(profile="memory", feed_cap=5)))
    author = h.user()
    posted = [h.post(author, f"tweet number {i}") for i in range(8)]
    h.feed_ids(author)  # caches the newest five
    h.c.posting().delete_tweet(author.id, posted[-1])
    assert h.all_feed_ids(author, limit=3) == posted[-2::-1]


def test_a_cached_feed_that_outgrows_the_cap_pages_on_into_the_store() -> None:
    h = Harness(build_container(Settings(profile="memory", feed_cap=5)))
    author = h.user()
    posted = [h.post(author, f"early tweet {i}") for i in range(3)]
    h.feed_ids(author)  # caches all three: the whole feed
    posted += [h.post(author, f"later tweet {i}") for i in range(4)]  # pushed past the cap
    assert h.all_feed_ids(author, limit=2) == posted[::-1]


# Races: `before("fill", ...)` runs a step after the reader's store read and before its fill.


def test_a_tweet_fanned_out_while_the_feed_list_is_rebuilt_is_not_lost(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    older = h.post(author, "before the rebuild")
    h.drain()
    during: list[int] = []

    def post_and_fan_out() -> None:
        during.append(h.post(author, "during the rebuild"))
        h.drain()

    h.c.list_cache().before("fill", post_and_fan_out)
    assert h.feed_ids(reader) == [older]  # its store read came before the new tweet
    assert h.feed_ids(reader) == [during[0], older]


def test_unfollowing_while_the_feed_list_is_rebuilt_keeps_their_tweets_out(h: Harness) -> None:
    author, reader = h.user(), h.user()
    h.follow(reader, author)
    h.post(author, "soon unfollowed")
    h.drain()
    h.c.list_cache().before("fill", lambda: h.c.following().unfollow(reader.id, author.id))
    h.feed_ids(reader)
    assert h.feed_ids(reader) == []


def test_a_like_between_the_tweet_read_and_the_cache_fill_shows_on_the_next_read(
    h: Harness,
) -> None:
    author, fan = h.user(), h.user()
    tweet_id = h.post(author)
    h.c.object_cache().before("fill", lambda: h.c.likes().like(fan.id, "tweet", tweet_id))
    assert likes_in_feed(h, author) == [0]  # read before the like
    assert likes_in_feed(h, author) == [1]


def test_a_nickname_change_between_the_user_read_and_the_cache_fill_shows_next_time(
    h: Harness,
) -> None:
    author = h.user()
    h.post(author)
    h.feed_ids(author)  # caches the tweet and the author's summary
    h.c.object_cache().delete_many([f"user:{author.id}"])  # so the summary is all it fills
    h.c.object_cache().before(
        "fill", lambda: h.c.profiles().update_profile(author.id, author.id, nickname="Renamed")
    )
    h.feed_ids(author)
    page = h.c.timeline().read_home_feed(author.id, Window())
    assert page.results[0].tweet.user.nickname == "Renamed"


def likes_in_feed(h: Harness, reader: User) -> list[int]:
    page = h.c.timeline().read_home_feed(reader.id, Window())
    return [entry.tweet.tweet.likes_count for entry in page.results]
