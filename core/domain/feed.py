"""Newsfeed entries and fan-out jobs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """Tweet `tweet_id` by `author_id` sits in `reader_id`'s newsfeed; ordered by tweet id."""

    reader_id: int
    tweet_id: int
    author_id: int
    created_at: datetime


class JobKind(StrEnum):
    """The background jobs the core knows how to run.

    Mirror jobs name keys, not values: their handler writes SQL's current truth for those
    keys to the second follow or feed store. MIRROR_FOLLOWS: the edges from each of
    `reader_ids` (followers) to `author_id` (followee), `tweet_id` 0. MIRROR_FEED_TWEET:
    the entries of `tweet_id` in the feeds of `reader_ids`. MIRROR_FEED_AUTHOR: the entries
    by `author_id` in the feeds of `reader_ids`, `tweet_id` 0.
    """

    FANOUT = "fanout"
    FANOUT_BATCH = "fanout_batch"
    RETRACT = "retract"
    RETRACT_BATCH = "retract_batch"
    MIRROR_FOLLOWS = "mirror_follows"
    MIRROR_FEED_TWEET = "mirror_feed_tweet"
    MIRROR_FEED_AUTHOR = "mirror_feed_author"


MIRROR_KINDS = frozenset(
    {JobKind.MIRROR_FOLLOWS, JobKind.MIRROR_FEED_TWEET, JobKind.MIRROR_FEED_AUTHOR}
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A unit of background work; `id` makes redelivery detectable, payload is plain data."""

    id: int
    kind: JobKind
    tweet_id: int
    author_id: int
    reader_ids: tuple[int, ...] = field(default_factory=tuple)
    # The id of the request that led to the job (for its log lines), None when unknown.
    request_id: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """The job as JSON-safe plain data (ints, strings, a list), for queues and tables."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "tweet_id": self.tweet_id,
            "author_id": self.author_id,
            "reader_ids": list(self.reader_ids),
            "request_id": self.request_id,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Job:
        """The job `to_payload` described (one written before jobs had a request id too);
        KeyError or ValueError if it is not one."""
        request_id = payload.get("request_id")
        return cls(
            id=int(payload["id"]),
            kind=JobKind(payload["kind"]),
            tweet_id=int(payload["tweet_id"]),
            author_id=int(payload["author_id"]),
            reader_ids=tuple(int(r) for r in payload.get("reader_ids", ())),
            request_id=None if request_id is None else str(request_id),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DeadJob:
    """A job that failed every attempt, with the last error (one line) and attempts made."""

    job: Job
    error: str
    attempts: int
