"""Cursor paging over HTTP: limit, cursor, since/prev_cursor, time aliases and the Link header."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.http.helpers import Account, Chirp, assert_error


def post_many(api: Chirp, who: Account, count: int, label: str = "tweet") -> list[str]:
    """Ids of `count` new tweets, oldest first, each at its own time."""
    ids = []
    for i in range(count):
        ids.append(api.tweet(who, f"{label} number {i}")["id"])
        api.tick()
    return ids


def page(api: Chirp, who: Account, query: str) -> dict:
    response = api.get(f"/api/tweets/?user_id={who.id}&{query}")
    assert response.status_code == 200, response.json
    return response.json


def test_cursor_pages_go_older_without_gaps_or_repeats(api: Chirp, alice: Account) -> None:
    ids = post_many(api, alice, 7)[::-1]
    first = page(api, alice, "limit=3")
    second = page(api, alice, f"limit=3&cursor={first['next_cursor']}")
    third = page(api, alice, f"limit=3&cursor={second['next_cursor']}")
    got = [t["id"] for p in (first, second, third) for t in p["results"]]
    assert got == ids
    assert [first["has_next_page"], second["has_next_page"], third["has_next_page"]] == [
        True,
        True,
        False,
    ]
    assert third["next_cursor"] is None


def test_since_gives_the_items_just_above_newest_first_then_prev_cursor_the_rest(
    api: Chirp, alice: Account
) -> None:
    post_many(api, alice, 2, "old")
    known = page(api, alice, "limit=5")["prev_cursor"]
    new = post_many(api, alice, 7, "new")  # new[0] is "new item 1"
    above = page(api, alice, f"limit=5&since={known}")
    assert [t["id"] for t in above["results"]] == new[4::-1]  # items 5..1
    assert above["has_next_page"] is True
    newest = page(api, alice, f"limit=5&since={above['prev_cursor']}")
    assert [t["id"] for t in newest["results"]] == new[:4:-1]  # items 7..6
    assert newest["has_next_page"] is False


def test_a_link_header_points_at_the_next_page(api: Chirp, alice: Account) -> None:
    post_many(api, alice, 3)
    response = api.get(f"/api/tweets/?user_id={alice.id}&limit=2")
    link = response.headers["Link"]
    assert link.endswith('>; rel="next"') and link.startswith("<http")
    url = link[1 : link.index(">")]
    query = parse_qs(urlsplit(url).query)
    assert query == {
        "user_id": [alice.id],
        "limit": ["2"],
        "cursor": [response.json["next_cursor"]],
    }
    follow = api.get(url[url.index("/api/") :])
    assert len(follow.json["results"]) == 1 and "Link" not in follow.headers


def test_created_at_lt_and_gt_bound_the_page_by_time(api: Chirp, alice: Account) -> None:
    post_many(api, alice, 3)
    tweets = page(api, alice, "")["results"]
    middle = tweets[1]["created_at"]
    older = page(api, alice, f"created_at__lt={middle}")["results"]
    newer = page(api, alice, f"created_at__gt={middle}")["results"]
    assert [t["id"] for t in older] == [tweets[2]["id"]]
    assert [t["id"] for t in newer] == [tweets[0]["id"]]


def test_far_future_and_ancient_times_are_fine(api: Chirp, alice: Account) -> None:
    post_many(api, alice, 1)
    assert len(page(api, alice, "created_at__lt=9999-12-31T23:59:59Z")["results"]) == 1
    assert page(api, alice, "created_at__lt=0001-01-01T00:00:00Z")["results"] == []
    assert len(page(api, alice, "created_at__gt=1970-01-01T00:00:00Z")["results"]) == 1
    before_year_one = f"/api/tweets/?user_id={alice.id}&created_at__lt=0001-01-01T00:00:00%2B01:00"
    assert_error(api.get(before_year_one), 400, "created_at__lt")


def test_limit_outside_1_to_100_is_a_400_naming_limit(api: Chirp, alice: Account) -> None:
    for limit in ("0", "101", "-1", "abc", "9" * 40):
        response = api.get(f"/api/tweets/?user_id={alice.id}&limit={limit}")
        assert_error(response, 400, "limit")


def test_a_cursor_we_did_not_make_is_a_400(api: Chirp, alice: Account) -> None:
    for cursor in ("garbage", "Zm9vYmFy", "%F0%9F%90%A6", "YzE6LTE"):
        assert_error(api.get(f"/api/tweets/?user_id={alice.id}&cursor={cursor}"), 400, "cursor")
    assert_error(api.get(f"/api/tweets/?user_id={alice.id}&since=nope"), 400, "since")


def test_a_bad_time_is_a_400_naming_it(api: Chirp, alice: Account) -> None:
    response = api.get(f"/api/tweets/?user_id={alice.id}&created_at__lt=yesterday")
    assert_error(response, 400, "created_at__lt")


def test_the_newsfeed_pages_like_every_list(api: Chirp, alice: Account) -> None:
    ids = post_many(api, alice, 4)[::-1]
    first = api.get("/api/newsfeeds/?limit=2", alice)
    assert "Link" in first.headers
    second = api.get(f"/api/newsfeeds/?limit=2&cursor={first.json['next_cursor']}", alice)
    assert [i["id"] for i in first.json["results"] + second.json["results"]] == ids


def test_notifications_and_follow_lists_are_paged(api: Chirp, alice: Account) -> None:
    fans = [api.signup() for _ in range(3)]
    for fan in fans:
        api.follow(fan, alice)
    followers = api.get(f"/api/friendships/{alice.id}/followers/?limit=2").json
    assert len(followers["results"]) == 2 and followers["has_next_page"]
    notes = api.get("/api/notifications/?limit=2", alice).json
    assert len(notes["results"]) == 2 and notes["has_next_page"]


# Every paged list, as (path, who may read it): "user" a signed-up user, "admin" an admin.
PAGED_LISTS = [
    ("/api/tweets/?user_id={user}", None),
    ("/api/newsfeeds/?", "user"),
    ("/api/comments/?tweet_id={tweet}", None),
    ("/api/friendships/{user}/followers/?", None),
    ("/api/friendships/{user}/followings/?", None),
    ("/api/notifications/?", "user"),
    ("/api/users/?", "admin"),
]


@pytest.mark.parametrize("field", ["cursor", "since"])
@pytest.mark.parametrize(("path", "reader"), PAGED_LISTS, ids=lambda v: str(v).split("?")[0])
def test_every_paged_list_answers_400_naming_an_unreadable_cursor_or_since(
    api: Chirp, alice: Account, path: str, reader: str | None, field: str
) -> None:
    tweet = api.tweet(alice)
    api.comment(alice, tweet["id"])
    who = {None: None, "user": alice, "admin": api.admin()}[reader]
    url = path.format(user=alice.id, tweet=tweet["id"])
    assert api.get(url, who).status_code == 200
    for garbage in ("garbage", "Zm9vYmFy", "YzE6LTE", "%F0%9F%90%A6"):
        response = api.get(f"{url}&{field}={garbage}", who)
        assert_error(response, 400, field)
        assert set(response.json["errors"]) == {field}


def test_since_on_the_oldest_first_comments_goes_newer_like_cursor(
    api: Chirp, alice: Account
) -> None:
    tweet = api.tweet(alice)
    ids = [api.comment(alice, tweet["id"], f"comment {i}")["id"] for i in range(5)]
    base = f"/api/comments/?tweet_id={tweet['id']}&limit=2"
    first = api.get(base).json
    after = api.get(f"{base}&since={first['next_cursor']}")
    assert [c["id"] for c in after.json["results"]] == ids[2:4]
    link = after.headers["Link"]
    query = parse_qs(urlsplit(link[1 : link.index(">")]).query)
    assert query["cursor"] == [after.json["next_cursor"]] and "since" not in query
