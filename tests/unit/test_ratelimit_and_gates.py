"""Rate limiting over the window store, and the gatekeeper."""

from __future__ import annotations

import pytest

from core.domain.errors import RateLimited, Unavailable
from core.services.ratelimit import RateLimiter, Rule
from tests.unit.harness import Harness


def limiter(h: Harness) -> RateLimiter:
    return RateLimiter(
        h.c.rate_limit_store(),
        h.clock,
        {"tweet_create": (Rule(limit=1, seconds=1), Rule(limit=5, seconds=60))},
    )


def test_requests_within_the_limit_report_what_remains(h: Harness) -> None:
    rl = RateLimiter(h.c.rate_limit_store(), h.clock, {"read": (Rule(limit=3, seconds=1),)})
    statuses = [rl.hit("read", "ip:1.2.3.4") for _ in range(3)]
    assert [s.remaining for s in statuses if s] == [2, 1, 0]
    assert all(s and s.limit == 3 and 1 <= s.reset <= 1 for s in statuses)


def test_one_past_the_limit_is_refused_with_retry_after(h: Harness) -> None:
    rl = limiter(h)
    rl.hit("tweet_create", "user:1")
    with pytest.raises(RateLimited) as err:
        rl.hit("tweet_create", "user:1")
    assert err.value.retry_after == 1


def test_every_rule_of_an_action_counts(h: Harness) -> None:
    rl = limiter(h)
    h.clock.set(h.clock.now().replace(second=0, microsecond=0))
    for _ in range(5):
        rl.hit("tweet_create", "user:1")
        h.clock.advance(1.5)
    with pytest.raises(RateLimited) as err:
        rl.hit("tweet_create", "user:1")
    assert err.value.limit == 5 and err.value.retry_after > 1


def test_subjects_are_counted_apart_and_windows_reset(h: Harness) -> None:
    rl = limiter(h)
    rl.hit("tweet_create", "user:1")
    rl.hit("tweet_create", "user:2")
    h.clock.advance(1)
    assert rl.hit("tweet_create", "user:1") is not None


def test_unlimited_actions_and_a_disabled_limiter_count_nothing(h: Harness) -> None:
    assert limiter(h).hit("unknown_action", "x") is None
    off = RateLimiter(h.c.rate_limit_store(), h.clock, enabled=False)
    assert all(off.hit("auth", "ip") is None for _ in range(10))


def test_a_limiter_that_cannot_count_and_has_no_fallback_refuses_rather_than_allows(
    h: Harness,
) -> None:
    h.c.rate_limit_store().available = False
    with pytest.raises(Unavailable):
        limiter(h).hit("tweet_create", "user:1")


def test_while_the_shared_store_is_down_the_limits_hold_counted_in_the_process(
    h: Harness,
) -> None:
    store = h.c.rate_limit_store()
    rl = h.c.rate_limiter()
    assert rl.hit("auth", "ip:1") is not None  # 1 of 3 this second, in the shared store
    store.available = False
    assert [rl.hit("auth", "ip:1").remaining for _ in range(3)] == [2, 1, 0]  # type: ignore[union-attr]
    with pytest.raises(RateLimited):
        rl.hit("auth", "ip:1")  # no free pass: the fourth is refused all the same
    store.available = True
    h.clock.advance(3)  # past the store's retry interval
    assert rl.hit("auth", "ip:1").remaining == 2  # type: ignore[union-attr]  # shared again
    assert rl.hit("auth", "ip:1").remaining == 1  # type: ignore[union-attr]


def test_a_gate_never_set_is_closed(h: Harness) -> None:
    assert not h.c.gatekeeper().is_open("hbase_feeds", 1)


def test_percent_release_grows_with_the_percent_and_rolls_back_at_once(h: Harness) -> None:
    keeper = h.c.gatekeeper()
    keeper.set_gate("hbase_feeds", 10)
    ten = {u for u in range(1000) if keeper.is_open("hbase_feeds", u)}
    keeper.set_gate("hbase_feeds", 50)
    fifty = {u for u in range(1000) if keeper.is_open("hbase_feeds", u)}
    assert ten < fifty and 50 < len(ten) < 150
    keeper.roll_back("hbase_feeds")
    assert not any(keeper.is_open("hbase_feeds", u) for u in range(1000))


def test_allow_and_deny_lists_win_over_the_percent_and_persist(h: Harness) -> None:
    keeper = h.c.gatekeeper()
    keeper.set_gate("hbase_feeds", 100, allow=[7], deny=[8])
    assert not keeper.is_open("hbase_feeds", 8)
    keeper.set_gate("hbase_feeds", 0)
    assert keeper.is_open("hbase_feeds", 7) and not keeper.is_open("hbase_feeds", 9)
    assert [g.name for g in keeper.gates()] == ["hbase_feeds"]
