"""The per-process celebrity list of TimelineService: how late a new celebrity is merged, and
that an empty list costs a page no unit of work."""

from __future__ import annotations

from collections.abc import Callable

from adapters.mysql.uncached import NoObjectCache
from container import build_container
from core.domain.paging import Window
from core.domain.users import User
from core.ports.unit_of_work import UnitOfWork
from core.services.timeline import TimelineService
from settings import Settings
from tests.unit.harness import Harness

MEMO = 5.0


def harness() -> Harness:
    return Harness(build_container(Settings(profile="memory", celebrity_threshold=1)))


def timeline(h: Harness, *, clock: bool) -> TimelineService:
    """One service kept across reads, as a per-process singleton is, with no shared object
    cache in front of the store (as on embedded)."""
    return TimelineService(
        h.c.uow_factory(),
        h.c.lookups(),
        h.c.list_cache(),
        NoObjectCache(),
        stores=h.c.stores(),
        clock=h.clock if clock else None,
        celebrities_memo=MEMO,
    )


def feed(service: TimelineService, reader: User) -> list[int]:
    return [e.id for e in service.read_home_feed(reader.id, Window(limit=50)).results]


def star_with_fans(h: Harness) -> tuple[User, User]:
    star, fan, other_fan = h.user(), h.user(), h.user()
    h.follow(fan, star)
    h.follow(other_fan, star)  # two followers: over the threshold at the star's next post
    return star, fan


def test_a_new_celebritys_tweet_reaches_followers_no_later_than_the_memo_time() -> None:
    h = harness()
    star, fan = star_with_fans(h)
    service = timeline(h, clock=True)
    assert feed(service, fan) == []  # the list is read now: nobody is a celebrity yet
    tweet_id = h.post(star, "now I am famous")
    h.drain()  # the fan-out marks the star a celebrity and pushes the tweet to no one
    h.clock.advance(MEMO - 0.001)
    assert feed(service, fan) == []  # within the stated bound, the old list still serves
    h.clock.advance(0.001)
    assert feed(service, fan) == [tweet_id]


def test_the_memo_is_dated_when_it_was_read_not_when_it_was_last_used() -> None:
    h = harness()
    star, fan = star_with_fans(h)
    service = timeline(h, clock=True)
    feed(service, fan)
    tweet_id = h.post(star, "now I am famous")
    h.drain()
    for _ in range(4):  # steady reads do not extend the list's life
        h.clock.advance(MEMO / 4)
        latest = feed(service, fan)
    assert latest == [tweet_id]


def test_without_a_clock_a_new_celebritys_tweet_is_merged_at_once() -> None:
    h = harness()
    star, fan = star_with_fans(h)
    service = timeline(h, clock=False)
    assert feed(service, fan) == []
    tweet_id = h.post(star, "now I am famous")
    h.drain()
    assert feed(service, fan) == [tweet_id]


def test_while_nobody_is_a_celebrity_a_feed_read_opens_no_unit_of_work_for_them() -> None:
    h = harness()
    reader, author = h.user(), h.user()
    h.follow(reader, author)
    tweet_id = h.post(author, "pushed, not merged")
    h.drain()
    opened: list[object] = []
    uows: Callable[[], UnitOfWork] = h.c.uow_factory()

    def counted() -> UnitOfWork:
        opened.append(None)
        return uows()

    service = TimelineService(
        counted,
        h.c.lookups(),
        h.c.list_cache(),
        NoObjectCache(),
        stores=h.c.stores(),
        clock=h.clock,
        celebrities_memo=MEMO,
    )
    assert feed(service, reader) == [tweet_id]  # reads the celebrity list: nobody
    opened.clear()
    assert feed(service, reader) == [tweet_id]
    assert service.followed_celebrities(reader.id) == []
    assert opened == []
