"""Newsfeed entries and fan-out jobs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedItem:
    """Tweet `tweet_id` by `author_id` sits in `reader_id`'s newsfeed; ordered by tweet id."""

    reader_id: int
    tweet_id: int
    author_id: int
    created_at: datetime


class JobKind(StrEnum):
    """The background jobs the core knows how to run."""

    FANOUT = "fanout"
    FANOUT_BATCH = "fanout_batch"
    RETRACT = "retract"
    RETRACT_BATCH = "retract_batch"


@dataclass(frozen=True, slots=True, kw_only=True)
class Job:
    """A unit of background work; `id` makes redelivery detectable, payload is plain data."""

    id: int
    kind: JobKind
    tweet_id: int
    author_id: int
    reader_ids: tuple[int, ...] = field(default_factory=tuple)
