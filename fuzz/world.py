"""The fuzz run's world: seeded users, tweets, comments, notifications and media, kept alive."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from werkzeug.test import TestResponse

from tests.http import images
from tests.http.helpers import PASSWORD, Account, Chirp

# How many tweets and comments of the fuzzing user stay in the pools: a DELETE that hits
# one is answered by posting a replacement, so later examples still find something.
OWN_TWEETS = 6
OWN_COMMENTS = 4
MEDIA_PREFIX = "/media/"


def _body(response: TestResponse, status: int) -> dict[str, Any]:
    body = response.json
    assert response.status_code == status and isinstance(body, dict), (status, body)
    return body


def upload(data: bytes, name: str) -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


@dataclass
class World:
    """Who the fuzz calls as, and the ids that name real objects.

    Rules:
    - `me` sends most requests; `bob` and `carol` own what `me` may read but not change,
      so an owner-only operation hits both its 200 and its 403.
    - Pools only name objects that exist: `forget` drops a deleted id and posts a
      replacement of the same kind.
    - Media keys come from bob's photo tweet and avatar, which `me` cannot delete.
    """

    api: Chirp
    me: Account
    bob: Account
    carol: Account
    admin: Account
    pools: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def seed(cls, api: Chirp) -> World:
        me, bob, carol = api.signup("fuzz_me"), api.signup("fuzz_bob"), api.signup("fuzz_carol")
        world = cls(api=api, me=me, bob=bob, carol=carol, admin=api.admin())
        world.pools = {
            "user_id": [me.id, bob.id, carol.id],
            "my_tweet": [],
            "their_tweet": [api.tweet(bob, f"bob says hello {n}")["id"] for n in range(3)],
            "my_comment": [],
            "their_comment": [],
            "notification_id": [],
            "key": world._seed_media(),
        }
        world.pools["their_tweet"].append(world._photo_tweet_id)
        api.follow(me, bob)
        api.follow(carol, me)
        for _ in range(OWN_TWEETS):
            world._add_my_tweet()
        for _ in range(OWN_COMMENTS):
            world._add_my_comment()
        world.refresh_notifications()
        return world

    def _seed_media(self) -> list[str]:
        form = {
            "content": "bob's holiday photos",
            "files": [upload(images.png(), "a.png"), upload(images.jpeg(), "b.jpg")],
        }
        posted = _body(self.api.post("/api/tweets/", self.bob, data=form), 201)
        self._photo_tweet_id = str(posted["id"])
        avatar = {"avatar": upload(images.gif(), "bob.gif"), "nickname": "Bob"}
        path = f"/api/profiles/{self.bob.id}/"
        changed = _body(self.api.call("PATCH", path, self.bob, data=avatar), 200)
        urls: list[str] = [*posted["photo_urls"], changed["avatar_url"]]
        return [url.removeprefix(MEDIA_PREFIX) for url in urls if url.startswith(MEDIA_PREFIX)]

    def _add_my_tweet(self) -> None:
        tweet = self.api.tweet(self.me, "my tweet for the fuzz run")
        self.pools["my_tweet"].append(tweet["id"])
        # Others act on it: notifications for `me`, comments and likes to read.
        comment = self.api.comment(self.bob, tweet["id"], "bob was here")
        self.pools["their_comment"].append(comment["id"])
        self.api.like(self.carol, "tweet", tweet["id"])

    def _add_my_comment(self) -> None:
        tweets = self.pools["their_tweet"]
        target = tweets[len(self.pools["my_comment"]) % len(tweets)]
        self.pools["my_comment"].append(self.api.comment(self.me, target, "me too")["id"])

    def refresh_notifications(self) -> None:
        notes = _body(self.api.get("/api/notifications/?limit=100", self.me), 200)["results"]
        self.pools["notification_id"] = [note["id"] for note in notes]

    def forget(self, kind: str, object_id: str) -> None:
        """After a DELETE answered 200: drop the id everywhere, restock its pool."""
        for name in ("my_tweet", "their_tweet", "my_comment", "their_comment"):
            if object_id in self.pools[name]:
                self.pools[name].remove(object_id)
        if kind == "tweet":
            # Its comments went with it.
            alive = [c for c in self.pools["their_comment"] if self._exists("comments", c)]
            self.pools["their_comment"] = alive
            self.pools["my_comment"] = [
                c for c in self.pools["my_comment"] if self._exists("comments", c)
            ]
            while len(self.pools["my_tweet"]) < OWN_TWEETS:
                self._add_my_tweet()
        while len(self.pools["my_comment"]) < OWN_COMMENTS:
            self._add_my_comment()
        self.refresh_notifications()

    def _exists(self, collection: str, object_id: str) -> bool:
        return self.api.get(f"/api/{collection}/{object_id}/").status_code == 200

    def fresh_token(self) -> str:
        """A new session of `me` (a logout ends only the session it is sent with)."""
        body = {"username": self.me.username, "password": PASSWORD}
        return str(_body(self.api.post("/api/accounts/login/", json=body), 200)["token"])

    def pick(self, pool: str | list[str], number: int) -> str:
        ids = self.pools[pool] if isinstance(pool, str) else pool
        return ids[number % len(ids)] if ids else str(number or 1)

    def credentials(self) -> dict[str, Any]:
        return {"username": self.me.username, "password": PASSWORD}
