"""Counts and child rows stay exact when requests race on one tweet or comment: threads drive
the HTTP app on a SQLite file (embedded) and on MariaDB (full), held at the bad interleaving
by a barrier inside the request, right after it read the row it is about to write under."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.engine import Engine

from container import Container, build_container
from entrypoints.http.app import create_app
from settings import Settings
from tests.contract.sql_backends import fresh_mysql_url
from tests.http.helpers import Account, Chirp, close_container
from tests.integration.support import run_together

# Only guards against a hung test; no assertion depends on time.
HANG_SECONDS = 60
# Threads held inside a request each hold a pooled connection (5 + 10 overflow by default):
# at most this many are held at once, so the others, and the background jobs, still get one.
HELD = 10
# A request's first write: a pause BEFORE it comes after every read the request made, the
# hot reads too (those go to the driver's cursor directly and raise no SQLAlchemy event).
FIRST_WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.I)
COMMENT_READ = re.compile(r"\bFROM comments\s+WHERE comments\.id\b", re.S)
ROUNDS = 4


@dataclass
class Race:
    """The app under test, and a way to pause a request thread just after a given read."""

    api: Chirp
    engine: Engine
    _armed: threading.local = field(default_factory=threading.local)

    def __post_init__(self) -> None:
        sa.event.listen(self.engine, "after_cursor_execute", self._after_statement)
        sa.event.listen(self.engine, "before_cursor_execute", self._before_statement)

    def _after_statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        armed = getattr(self._armed, "step", None)
        if armed is not None and armed[0] is not FIRST_WRITE and armed[0].search(statement):
            self._armed.step = None
            armed[1]()

    def _before_statement(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        armed = getattr(self._armed, "step", None)
        if armed is not None and armed[0] is FIRST_WRITE and armed[0].search(statement):
            self._armed.step = None
            armed[1]()

    def request(
        self,
        method: str,
        path: str,
        who: Account,
        body: dict[str, Any] | None = None,
        *,
        pause_after: re.Pattern[str] | None = None,
        pause: Callable[[], None] = lambda: None,
    ) -> int:
        """The status of one request from this thread (a test client of its own), running
        `pause` right after the request's first statement matching `pause_after`."""
        return self.answer(method, path, who, body, pause_after=pause_after, pause=pause)[0]

    def answer(
        self,
        method: str,
        path: str,
        who: Account,
        body: dict[str, Any] | None = None,
        *,
        pause_after: re.Pattern[str] | None = None,
        pause: Callable[[], None] = lambda: None,
    ) -> tuple[int, str]:
        """`request`'s status, with the fields an error names ("" when none)."""
        self._armed.step = (pause_after, pause) if pause_after is not None else None
        client = self.api.app.test_client(use_cookies=False)
        try:
            response = client.open(path, method=method, headers=who.auth, json=body)
        finally:
            self._armed.step = None
        errors = (response.json or {}).get("errors") or {}
        return response.status_code, ",".join(sorted(errors))

    def scalar(self, sql: str, **params: Any) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.text(sql), params).scalar_one())


def build(profile: str, data_dir: Path) -> Container:
    if profile == "embedded":
        settings = Settings(profile="embedded", data_dir=data_dir, ratelimit_enabled=False)
    else:
        settings = Settings(
            profile="full",
            data_dir=data_dir,
            ratelimit_enabled=False,
            mysql_url=fresh_mysql_url("chirp_test_races"),
            redis_url="redis://127.0.0.1:6379/12",
            queue_name="chirp-test-races",
            job_min_backoff_ms=20,
        )
    container = build_container(settings)
    if profile == "full":
        container.redis().flushdb()
    container.worker_roles()
    return container


@pytest.fixture(params=["embedded", pytest.param("full", marks=pytest.mark.integration)])
def race(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Race]:
    """The app on a SQLite file (embedded) or on MariaDB (full), with no rate limits."""
    container = build(request.param, tmp_path)
    app: Flask = create_app(container)
    app.config["TESTING"] = True
    yield Race(Chirp(app, container), container.engine())
    close_container(container)


def first_to_arrive(parties: int) -> Callable[[], None]:
    """A pause that holds the first `parties` threads to reach it until all of them have
    (later ones pass): those all read before any of them writes."""
    barrier, count, lock = threading.Barrier(parties), [0], threading.Lock()

    def pause() -> None:
        with lock:
            count[0] += 1
            mine = count[0]
        if mine <= parties:
            barrier.wait(HANG_SECONDS)

    return pause


def inconsistencies(race: Race) -> dict[str, int]:
    """Rows that point at a tweet or comment that is gone, and counts that disagree with
    the rows they count; empty when the store is consistent."""
    checks = {
        "comments of missing tweets": "SELECT COUNT(*) FROM comments c WHERE NOT EXISTS "
        "(SELECT 1 FROM tweets t WHERE t.id = c.tweet_id)",
        "likes of missing tweets": "SELECT COUNT(*) FROM likes l WHERE l.target_type = 'tweet' "
        "AND NOT EXISTS (SELECT 1 FROM tweets t WHERE t.id = l.target_id)",
        "likes of missing comments": "SELECT COUNT(*) FROM likes l WHERE l.target_type = "
        "'comment' AND NOT EXISTS (SELECT 1 FROM comments c WHERE c.id = l.target_id)",
        "notifications of missing targets": "SELECT COUNT(*) FROM notifications n WHERE "
        "(n.target_type = 'tweet' AND NOT EXISTS (SELECT 1 FROM tweets t WHERE t.id = "
        "n.target_id)) OR (n.target_type = 'comment' AND NOT EXISTS (SELECT 1 FROM comments c "
        "WHERE c.id = n.target_id))",
        "tweets with a wrong comments_count": "SELECT COUNT(*) FROM tweets t WHERE "
        "t.comments_count <> (SELECT COUNT(*) FROM comments c WHERE c.tweet_id = t.id)",
        "tweets with a wrong likes_count": "SELECT COUNT(*) FROM tweets t WHERE t.likes_count "
        "<> (SELECT COUNT(*) FROM likes l WHERE l.target_type = 'tweet' AND l.target_id = t.id)",
        "comments with a wrong likes_count": "SELECT COUNT(*) FROM comments c WHERE "
        "c.likes_count <> (SELECT COUNT(*) FROM likes l WHERE l.target_type = 'comment' "
        "AND l.target_id = c.id)",
    }
    found = {name: race.scalar(sql) for name, sql in checks.items()}
    return {name: n for name, n in found.items() if n}


def test_twenty_deletions_of_one_comment_take_exactly_one_from_the_count(race: Race) -> None:
    api = race.api
    alice, bob = api.signup(), api.signup()
    tweet_id = api.tweet(alice)["id"]
    doomed, *_ = [api.comment(bob, tweet_id)["id"] for _ in range(3)]
    statuses: list[int] = []
    held = first_to_arrive(HELD)

    def delete() -> None:
        path = f"/api/comments/{doomed}/"
        statuses.append(race.request("DELETE", path, bob, pause_after=COMMENT_READ, pause=held))

    run_together(*[delete] * 20, timeout=HANG_SECONDS)
    assert sorted(statuses) == [200] + [404] * 19
    assert race.scalar("SELECT comments_count FROM tweets WHERE id = :i", i=tweet_id) == 2
    assert inconsistencies(race) == {}


def test_ten_users_liking_one_tweet_twice_each_at_once_make_ten_likes(race: Race) -> None:
    api = race.api
    alice = api.signup()
    tweet_id = api.tweet(alice)["id"]
    fans = [api.signup() for _ in range(10)]
    statuses: list[int] = []
    held = first_to_arrive(HELD)

    def like(fan: Account) -> Callable[[], None]:
        body = {"content_type": "tweet", "object_id": tweet_id}
        return lambda: statuses.append(
            race.request("POST", "/api/likes/", fan, body, pause_after=FIRST_WRITE, pause=held)
        )

    run_together(*[like(fan) for fan in fans for _ in range(2)], timeout=HANG_SECONDS)
    assert sorted(statuses) == [200] * 10 + [201] * 10
    assert race.scalar("SELECT likes_count FROM tweets WHERE id = :i", i=tweet_id) == 10
    assert inconsistencies(race) == {}


Writer = tuple[Account, str, str, dict[str, Any] | None, re.Pattern[str]]


def writers_under(
    tweet_id: int, comments: tuple[int, int], fans: list[Account], bob: Account
) -> list[tuple[Writer, tuple[int, str]]]:
    """Each fan likes the tweet, comments on it and likes bob's first comment; bob deletes
    his second: each request with the read it writes under, and what API.md says it answers
    once the tweet is gone (400 naming the field; a comment's own endpoint answers 404)."""
    liked, deleted = comments
    like_tweet = {"content_type": "tweet", "object_id": tweet_id}
    like_comment = {"content_type": "comment", "object_id": liked}
    comment = {"tweet_id": tweet_id, "content": "late words"}
    writers: list[tuple[Writer, tuple[int, str]]] = []
    for fan in fans:
        writers.append(((fan, "POST", "/api/likes/", like_tweet, FIRST_WRITE), (400, "object_id")))
        writers.append(((fan, "POST", "/api/comments/", comment, FIRST_WRITE), (400, "tweet_id")))
        like = (fan, "POST", "/api/likes/", like_comment, COMMENT_READ)
        writers.append((like, (400, "object_id")))
    writers.append(((bob, "DELETE", f"/api/comments/{deleted}/", None, COMMENT_READ), (404, "")))
    return writers


def write_after_a_deletion(
    race: Race, writers: list[Writer], delete: Callable[[], tuple[int, str]]
) -> list[tuple[int, str]]:
    """Each writer's answer when it read the row it writes under, then waited while
    `delete` ran and committed (its answer must be 200), then wrote: the order that left
    orphans."""
    all_read, deleted = threading.Barrier(len(writers) + 1), threading.Event()
    answers: dict[int, tuple[int, str]] = {}

    def wait_for_the_deletion() -> None:
        all_read.wait(HANG_SECONDS)
        deleted.wait(HANG_SECONDS)

    def write(n: int) -> Callable[[], None]:
        who, method, path, body, read = writers[n]
        return lambda: answers.__setitem__(
            n,
            race.answer(method, path, who, body, pause_after=read, pause=wait_for_the_deletion),
        )

    def delete_when_all_have_read() -> None:
        all_read.wait(HANG_SECONDS)
        assert delete() == (200, "")
        deleted.set()

    run_together(
        delete_when_all_have_read, *[write(n) for n in range(len(writers))], timeout=HANG_SECONDS
    )
    return [answers[n] for n in range(len(writers))]


def test_writes_that_read_a_tweet_before_its_deletion_fail_and_leave_no_orphans(
    race: Race,
) -> None:
    api = race.api
    alice, bob = api.signup(), api.signup()
    fans = [api.signup() for _ in range(3)]
    tweet_id = api.tweet(alice)["id"]
    comments = (api.comment(bob, tweet_id)["id"], api.comment(bob, tweet_id)["id"])
    writers = writers_under(tweet_id, comments, fans, bob)
    answers = write_after_a_deletion(
        race,
        [writer for writer, _ in writers],
        lambda: race.answer("DELETE", f"/api/tweets/{tweet_id}/", alice),
    )
    assert answers == [expected for _, expected in writers]
    assert race.scalar("SELECT COUNT(*) FROM likes") == 0
    assert race.scalar("SELECT COUNT(*) FROM comments") == 0
    assert inconsistencies(race) == {}


def test_likes_that_read_a_comment_before_its_deletion_fail_and_leave_no_orphans(
    race: Race,
) -> None:
    api = race.api
    alice, bob = api.signup(), api.signup()
    fans = [api.signup() for _ in range(4)]
    tweet_id = api.tweet(alice)["id"]
    comment_id = api.comment(bob, tweet_id)["id"]
    body = {"content_type": "comment", "object_id": comment_id}
    answers = write_after_a_deletion(
        race,
        [(fan, "POST", "/api/likes/", body, COMMENT_READ) for fan in fans],
        lambda: race.answer("DELETE", f"/api/comments/{comment_id}/", bob),
    )
    # API.md: liking an unknown object answers 400 naming the field.
    assert answers == [(400, "object_id")] * len(fans)
    assert race.scalar("SELECT COUNT(*) FROM likes") == 0
    assert race.scalar("SELECT comments_count FROM tweets WHERE id = :i", i=tweet_id) == 0
    assert inconsistencies(race) == {}


def release_together(
    race: Race, requests: list[tuple[str, Account, str, str, Any]]
) -> list[tuple[str, int]]:
    """Send every (kind, who, method, path, body) from its own thread, all at once; the
    status of each, by kind."""
    start, outcomes = threading.Barrier(len(requests)), list[tuple[str, int]]()

    def send(kind: str, who: Account, method: str, path: str, body: Any) -> None:
        start.wait(HANG_SECONDS)
        outcomes.append((kind, race.request(method, path, who, body)))

    run_together(*[lambda r=r: send(*r) for r in requests], timeout=HANG_SECONDS)
    return outcomes


def test_likes_comments_and_deletions_released_together_stay_consistent(race: Race) -> None:
    """Every writer of a tweet's children and the tweet's deletion, released at once, round
    after round: whatever the order, no orphan, no drifted count, no error but 400 and 404."""
    api = race.api
    alice, bob = api.signup(), api.signup()
    fans = [api.signup() for _ in range(2)]
    allowed = {"like": {200, 201, 400}, "comment": {201, 400}, "delete": {200, 404}}
    for _ in range(ROUNDS):
        tweet_id = api.tweet(alice)["id"]
        first, second = (api.comment(bob, tweet_id)["id"] for _ in range(2))
        like_tweet = {"content_type": "tweet", "object_id": tweet_id}
        like_comment = {"content_type": "comment", "object_id": first}
        comment = {"tweet_id": tweet_id, "content": "racing words"}
        requests: list[tuple[str, Account, str, str, Any]] = [
            *[("like", fan, "POST", "/api/likes/", like_tweet) for fan in fans],
            *[("like", fan, "POST", "/api/likes/", like_comment) for fan in fans],
            *[("comment", fan, "POST", "/api/comments/", comment) for fan in fans],
            *[("delete", bob, "DELETE", f"/api/comments/{c}/", None) for c in (first, second)],
            ("delete", alice, "DELETE", f"/api/tweets/{tweet_id}/", None),
        ]
        outcomes = release_together(race, requests)
        assert all(status in allowed[kind] for kind, status in outcomes), outcomes
        assert inconsistencies(race) == {}
    assert race.scalar("SELECT COUNT(*) FROM tweets") == 0
