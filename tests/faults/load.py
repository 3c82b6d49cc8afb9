"""Mixed traffic against a running `chirp serve`: bounded HTTP calls, one thread per user,
and a model of what each user was told, to hold the store to it afterwards.

Each user is driven by exactly one thread, so what the API answered that user is the whole
truth about their likes, comments, follows and tweets: a 201 means the row exists, a 503
means nothing changed. `Model` keeps that truth; `reconcile` holds the store to it.
"""

from __future__ import annotations

import http.client
import itertools
import json
import random
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# Every request is bounded: a hang is a failure with a status of 0, never a stuck thread.
REQUEST_TIMEOUT_SECONDS = 10.0
PASSWORD = "secret-pass"
READS = frozenset({"feed", "tweet", "user_tweets", "unread", "notifications"})
# What each action may answer. A write may also answer 503 (a backend is down: nothing
# changed); a like of a comment may answer 400 when the comment's owner deleted it first.
ALLOWED = {
    **{read: {200} for read in READS},
    "post": {201, 503},
    "like": {201, 503},
    "unlike": {200, 503},
    "unlike_comment": {200, 400, 503},
    "like_comment": {201, 400, 503},
    "comment": {201, 503},
    "uncomment": {200, 503},
    "follow": {201, 503},
    "unfollow": {200, 503},
}
_serial = itertools.count(1)


@dataclass(frozen=True, slots=True)
class Answer:
    status: int  # 0: no answer within the bound (timeout, reset, refused)
    body: Any
    started: float
    ended: float

    @property
    def message(self) -> str:
        return str(self.body.get("message", "")) if isinstance(self.body, dict) else ""


class Http:
    """One call per connection, each bounded by REQUEST_TIMEOUT_SECONDS."""

    def __init__(self, port: int) -> None:
        self.port = port

    def patiently(self, method: str, path: str, token: str = "", body: Any = None) -> Answer:
        """`call`, waiting out 429s (a run's setup comes from one IP, in a burst)."""
        answer = self.call(method, path, token, body)
        for _ in range(40):
            if answer.status != 429:
                break
            time.sleep(0.5)
            answer = self.call(method, path, token, body)
        return answer

    def call(self, method: str, path: str, token: str = "", body: Any = None) -> Answer:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.monotonic()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT_SECONDS)
        try:
            conn.request(method, path, body=payload, headers=headers)
            response = conn.getresponse()
            raw = response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as exc:
            return Answer(0, {"message": repr(exc)}, started, time.monotonic())
        finally:
            conn.close()
        try:
            decoded = json.loads(raw) if raw else None
        except ValueError:
            decoded = raw[:200].decode(errors="replace")
        return Answer(status, decoded, started, time.monotonic())


@dataclass(slots=True)
class User:
    """A signed-up user and what the API told them about their own things."""

    id: int
    token: str
    tweets: set[int] = field(default_factory=set)
    likes: set[tuple[str, int]] = field(default_factory=set)
    comments: dict[int, int] = field(default_factory=dict)  # comment id -> tweet id
    follows: set[int] = field(default_factory=set)
    ever_followed: set[int] = field(default_factory=set)


@dataclass(frozen=True, slots=True)
class Outcome:
    action: str
    status: int
    message: str
    started: float
    ended: float


class Model:
    """Every user, every tweet and comment the load knows of, and every outcome seen."""

    def __init__(self) -> None:
        self.users: list[User] = []
        self.tweet_ids: list[int] = []
        self.comment_ids: list[int] = []
        self.outcomes: list[Outcome] = []
        self.outage = (0.0, 0.0)  # monotonic start and end of the run's outage, if any
        self._lock = threading.Lock()

    def record(self, action: str, answer: Answer) -> None:
        with self._lock:
            outcome = Outcome(action, answer.status, answer.message, answer.started, answer.ended)
            self.outcomes.append(outcome)

    def add_tweet(self, tweet_id: int) -> None:
        with self._lock:
            self.tweet_ids.append(tweet_id)

    def add_comment(self, comment_id: int) -> None:
        with self._lock:
            self.comment_ids.append(comment_id)

    def statuses(self) -> Counter[int]:
        with self._lock:
            return Counter(o.status for o in self.outcomes)

    def unexpected(self) -> list[Outcome]:
        """Outcomes no user should see: a 5xx other than 503, a 503 without a message, no
        answer at all, or a status the action does not allow."""
        with self._lock:
            return [o for o in self.outcomes if not _acceptable(o)]


def describe(outcomes: list[Outcome]) -> str:
    """Outcomes counted by action, status and message, most frequent first."""
    counted = Counter((o.action, o.status, o.message[:120]) for o in outcomes)
    return "; ".join(f"{n} x {key}" for key, n in counted.most_common(8))


def _acceptable(outcome: Outcome) -> bool:
    if outcome.status not in ALLOWED[outcome.action]:
        return False
    return outcome.status != 503 or bool(outcome.message.strip())


def sign_up(api: Http, model: Model, count: int, tag: str) -> list[User]:
    """`count` new users (names unique to this run), added to the model."""
    made = []
    for _ in range(count):
        name = f"{tag}{next(_serial):05d}"[:20]
        body = {"username": name, "email": f"{name}@example.com", "password": PASSWORD}
        answer = api.patiently("POST", "/api/accounts/signup/", body=body)
        if answer.status != 201:
            raise AssertionError(f"sign-up answered {answer.status}: {answer.body}")
        made.append(User(id=int(answer.body["user"]["id"]), token=answer.body["token"]))
    model.users.extend(made)
    return made


def seat_readers(api: Http, model: Model, authors: list[User], count: int, tag: str) -> list[User]:
    """`count` users who post one tweet, follow every author and have read their feed and
    unread count (so both are cached): in the load they only read. Nothing they do after
    drops their cached feed, so whatever lands in it meanwhile must arrive by a push."""
    readers = sign_up(api, model, count, tag)
    for reader in readers:
        body = {"content": "a reader's tweet"}
        answer = api.patiently("POST", "/api/tweets/", reader.token, body)
        assert answer.status == 201, answer.body
        reader.tweets.add(int(answer.body["id"]))
        model.add_tweet(int(answer.body["id"]))
        for author in authors:
            path = f"/api/friendships/{author.id}/follow/"
            assert api.patiently("POST", path, reader.token).status == 201
            reader.follows.add(author.id)
            reader.ever_followed.add(author.id)
        assert api.patiently("GET", "/api/newsfeeds/", reader.token).status == 200
        assert api.patiently("GET", "/api/notifications/unread-count/", reader.token).status == 200
    return readers


class Driver:
    """Picks and makes one request at a time for one user, and updates the model."""

    def __init__(
        self, api: Http, model: Model, user: User, rng: random.Random, *, reader: bool = False
    ) -> None:
        self.api, self.model, self.user, self.rng = api, model, user, rng
        self.actions: dict[str, Callable[[], None]] = {
            "feed": self.feed, "tweet": self.tweet, "user_tweets": self.user_tweets,
            "unread": self.unread, "notifications": self.notifications, "post": self.post,
            "like": self.like, "unlike": self.unlike, "like_comment": self.like_comment,
            "comment": self.comment, "uncomment": self.uncomment, "follow": self.follow,
            "unfollow": self.unfollow,
        }  # fmt: skip
        # Reads outnumber writes, as on any social site; a reader only reads.
        self.weights = {name: (4 if name in READS else 0 if reader else 1) for name in self.actions}

    def step(self) -> None:
        names = list(self.weights)
        self.actions[self.rng.choices(names, [self.weights[n] for n in names])[0]]()

    def _call(self, action: str, method: str, path: str, body: Any = None) -> Answer:
        answer = self.api.call(method, path, self.user.token, body)
        self.model.record(action, answer)
        return answer

    def _some_tweet(self) -> int | None:
        ids = self.model.tweet_ids
        return self.rng.choice(ids[-200:]) if ids else None

    def feed(self) -> None:
        self._call("feed", "GET", "/api/newsfeeds/?limit=20")

    def tweet(self) -> None:
        if (tweet_id := self._some_tweet()) is not None:
            self._call("tweet", "GET", f"/api/tweets/{tweet_id}/")

    def user_tweets(self) -> None:
        other = self.rng.choice(self.model.users)
        self._call("user_tweets", "GET", f"/api/tweets/?user_id={other.id}")

    def unread(self) -> None:
        self._call("unread", "GET", "/api/notifications/unread-count/")

    def notifications(self) -> None:
        self._call("notifications", "GET", "/api/notifications/?limit=10")

    def post(self) -> None:
        answer = self._call("post", "POST", "/api/tweets/", {"content": f"chirp {time.time()}"})
        if answer.status == 201:
            tweet_id = int(answer.body["id"])
            self.user.tweets.add(tweet_id)
            self.model.add_tweet(tweet_id)

    def like(self) -> None:
        tweet_id = self._some_tweet()
        if tweet_id is None or ("tweet", tweet_id) in self.user.likes:
            return
        body = {"content_type": "tweet", "object_id": str(tweet_id)}
        if self._call("like", "POST", "/api/likes/", body).status == 201:
            self.user.likes.add(("tweet", tweet_id))

    def unlike(self) -> None:
        if not self.user.likes:
            return
        kind, object_id = self.rng.choice(sorted(self.user.likes))
        body = {"content_type": kind, "object_id": str(object_id)}
        action = "unlike" if kind == "tweet" else "unlike_comment"
        answer = self._call(action, "POST", "/api/likes/cancel/", body)
        # A 400 names a comment its owner deleted, and the like went with it.
        if answer.status in (200, 400):
            self.user.likes.discard((kind, object_id))

    def like_comment(self) -> None:
        ids = self.model.comment_ids
        comment_id = self.rng.choice(ids[-200:]) if ids else None
        if comment_id is None or ("comment", comment_id) in self.user.likes:
            return
        body = {"content_type": "comment", "object_id": str(comment_id)}
        if self._call("like_comment", "POST", "/api/likes/", body).status == 201:
            self.user.likes.add(("comment", comment_id))

    def comment(self) -> None:
        if (tweet_id := self._some_tweet()) is None:
            return
        body = {"tweet_id": str(tweet_id), "content": "a comment"}
        answer = self._call("comment", "POST", "/api/comments/", body)
        if answer.status == 201:
            self.user.comments[int(answer.body["id"])] = tweet_id
            self.model.add_comment(int(answer.body["id"]))

    def uncomment(self) -> None:
        if not self.user.comments:
            return
        comment_id = self.rng.choice(sorted(self.user.comments))
        if self._call("uncomment", "DELETE", f"/api/comments/{comment_id}/").status == 200:
            del self.user.comments[comment_id]

    def follow(self) -> None:
        other = self.rng.choice(self.model.users)
        if other.id == self.user.id or other.id in self.user.follows:
            return
        if self._call("follow", "POST", f"/api/friendships/{other.id}/follow/").status == 201:
            self.user.follows.add(other.id)
            self.user.ever_followed.add(other.id)

    def unfollow(self) -> None:
        if not self.user.follows:
            return
        other = self.rng.choice(sorted(self.user.follows))
        answer = self._call("unfollow", "POST", f"/api/friendships/{other}/unfollow/")
        if answer.status == 200:
            self.user.follows.discard(other)


class Load:
    """One thread per user, each making requests until `stop()`, at most `rate` per second
    in all (0: as fast as the server answers)."""

    def __init__(
        self,
        api: Http,
        model: Model,
        users: list[User],
        rate: float = 0,
        readers: list[User] | None = None,
    ) -> None:
        self._stopped = threading.Event()
        everyone = [*users, *(readers or [])]
        self._interval = len(everyone) / rate if rate > 0 else 0.0
        self._threads = [
            threading.Thread(target=self._run, args=(Driver(
                api, model, u, random.Random(u.id), reader=u not in users),))
            for u in everyone
        ]  # fmt: skip
        self.failures: list[BaseException] = []

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def stop(self) -> None:
        self._stopped.set()
        for thread in self._threads:
            thread.join(REQUEST_TIMEOUT_SECONDS * 2)
        if any(thread.is_alive() for thread in self._threads):
            raise AssertionError("a load thread did not stop: a request outlived its bound")
        if self.failures:
            raise self.failures[0]

    def _run(self, driver: Driver) -> None:
        try:
            while not self._stopped.is_set():
                began = time.monotonic()
                driver.step()
                if self._interval:
                    self._stopped.wait(max(0.0, self._interval - (time.monotonic() - began)))
        except BaseException as exc:  # handed to the thread that calls stop()
            self.failures.append(exc)
