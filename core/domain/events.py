"""Stream events: what a live feed is told, the channels it listens on, and their JSON form."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from core.domain.codec import UnreadableValue, is_plain
from core.domain.errors import Invalid

_TAG, _VERSION = "stream_event", 1
_ENVELOPE = frozenset({"type", "version", "value"})
_FIELDS = frozenset({"kind", "data", "cursor"})


class EventKind(StrEnum):
    """What happened: a tweet entered a feed, left it, or a notification arrived."""

    TWEET = "tweet"
    DELETE = "delete"
    NOTIFICATION = "notification"


@dataclass(frozen=True, slots=True, kw_only=True)
class StreamEvent:
    """One event for a live stream: its kind, plain JSON-safe data (ids, an unread count),
    and an optional cursor (a feed id) a reconnecting client may resume from.

    A hint, never the truth: a stream that misses events replays the feed store.
    """

    kind: EventKind
    data: dict[str, Any] = field(default_factory=dict)
    cursor: int | None = None

    def __post_init__(self) -> None:
        # Checked here, so an event that would not survive the wire fails where it is made.
        if not isinstance(self.kind, EventKind):
            raise Invalid.on_field("kind", f"{self.kind!r} is not an event kind")
        if type(self.data) is not dict or not is_plain(self.data):
            raise Invalid.on_field("data", "event data must be a JSON-safe object")
        if self.cursor is not None and type(self.cursor) is not int:
            raise Invalid.on_field("cursor", f"{self.cursor!r} is not an integer")


def feed_channel(reader_id: int) -> str:
    """The channel of one reader's home feed (tweets in, deletions out)."""
    return f"feed:{int(reader_id)}"


def user_channel(user_id: int) -> str:
    """The channel of one user's own events (notifications and unread counts)."""
    return f"user:{int(user_id)}"


def author_channel(author_id: int) -> str:
    """The channel of a celebrity author's new tweets, which fan-out does not copy to feeds."""
    return f"author:{int(author_id)}"


def encode_event(event: StreamEvent) -> bytes:
    """The event as UTF-8 JSON in the codec's envelope (type "stream_event", version 1)."""
    value = {"kind": event.kind.value, "data": event.data, "cursor": event.cursor}
    body = {"type": _TAG, "version": _VERSION, "value": value}
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode()


def decode_event(raw: bytes) -> StreamEvent:
    """The event `encode_event` wrote; UnreadableValue for anything else, never another error."""
    try:
        body = json.loads(raw.decode("utf-8"))
        if not isinstance(body, dict) or set(body) != _ENVELOPE:
            raise UnreadableValue("not an event envelope")
        if body["type"] != _TAG or type(body["version"]) is not int:
            raise UnreadableValue(f"not a {_TAG}: {body['type']!r}")
        if body["version"] != _VERSION:
            raise UnreadableValue(f"no reader for {_TAG} version {body['version']!r}")
        value = body["value"]
        if not isinstance(value, dict) or set(value) != _FIELDS:
            raise UnreadableValue("an event needs exactly kind, data and cursor")
        return StreamEvent(
            kind=EventKind(value["kind"]), data=value["data"], cursor=value["cursor"]
        )
    except UnreadableValue:
        raise
    # Garbage may fail anywhere: bad UTF-8 or JSON, deep nesting, an unknown kind, bad data.
    except (ValueError, TypeError, RecursionError, Invalid) as exc:
        raise UnreadableValue(f"{type(exc).__name__}: {exc}") from exc


def tweet_event(tweet_id: int) -> StreamEvent:
    """A tweet entered a feed (or a celebrity posted): the stream renders it per reader."""
    return StreamEvent(kind=EventKind.TWEET, data={"id": tweet_id}, cursor=tweet_id)


def delete_event(tweet_id: int) -> StreamEvent:
    """A tweet was deleted: streams tell their clients to drop it."""
    return StreamEvent(kind=EventKind.DELETE, data={"id": tweet_id})


def notification_event(note_id: int) -> StreamEvent:
    """A notification was recorded: the recipient's stream renders it with the unread count."""
    return StreamEvent(kind=EventKind.NOTIFICATION, data={"id": note_id})
