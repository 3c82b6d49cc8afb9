"""Helpers that drive the memory harness the way a client would."""

from __future__ import annotations

import itertools

from container import Container
from core.domain.paging import Window
from core.domain.users import User

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 32
GIF = b"GIF89a" + b"\x00" * 32
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 32


class Harness:
    """A container on the memory profile plus the shortcuts tests keep needing."""

    def __init__(self, container: Container) -> None:
        self.c = container
        self.clock = container.clock()
        self.queue = container.task_queue()
        self._names = itertools.count(1)

    def user(self, name: str | None = None, *, admin: bool = False) -> User:
        username = name or f"user_{next(self._names):04d}"
        if admin:
            return self.c.accounts().create_admin(username, f"{username}@example.com", "secret1")
        return self.c.accounts().sign_up(username, f"{username}@example.com", "secret1").user

    def post(self, author: User, text: str = "hello world", **kwargs: object) -> int:
        view, _ = self.c.posting().post_tweet(author.id, text, **kwargs)  # type: ignore[arg-type]
        return view.tweet.id

    def follow(self, follower: User, followee: User) -> None:
        self.c.following().follow(follower.id, followee.id)

    def drain(self) -> int:
        """Run every queued background job (fan-out) to completion."""
        return self.queue.drain(self.c.fanout().run)

    def feed_ids(self, reader: User, window: Window | None = None) -> list[int]:
        page = self.c.timeline().read_home_feed(reader.id, window or Window(limit=100))
        return [entry.id for entry in page.results]

    def all_feed_ids(self, reader: User, limit: int) -> list[int]:
        """Every id of a feed, following next_cursor page by page."""
        ids: list[int] = []
        cursor = None
        while True:
            page = self.c.timeline().read_home_feed(
                reader.id, Window.newest(limit=limit, cursor=cursor)
            )
            ids += [entry.id for entry in page.results]
            if not page.has_next_page:
                return ids
            cursor = page.next_cursor
