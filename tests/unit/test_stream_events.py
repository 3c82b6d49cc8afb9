"""Stream events: the JSON codec, the channel names, and the bounded buffer's overflow rule."""

from __future__ import annotations

import json
import threading

import pytest

from core.domain.codec import UnreadableValue
from core.domain.errors import Invalid
from core.domain.events import (
    EventKind,
    StreamEvent,
    author_channel,
    decode_event,
    encode_event,
    feed_channel,
    user_channel,
)
from core.ports.subscriber import EventBuffer, MissedEvents

WAIT = 5.0
EVENTS = [
    StreamEvent(kind=EventKind.TWEET, data={"tweet_id": 9, "author_id": 2}, cursor=9),
    StreamEvent(kind=EventKind.DELETE, data={"tweet_id": 9}),
    StreamEvent(
        kind=EventKind.NOTIFICATION,
        data={"notification_id": 2**62, "unread": 3, "text": "ça ✓", "tags": [None, 1.5]},
    ),
]


@pytest.mark.parametrize("event", EVENTS, ids=lambda e: e.kind.value)
def test_every_kind_of_event_reads_back_equal(event: StreamEvent) -> None:
    assert decode_event(encode_event(event)) == event


def test_an_event_is_written_in_the_versioned_envelope() -> None:
    body = json.loads(encode_event(EVENTS[1]))
    assert body == {
        "type": "stream_event",
        "version": 1,
        "value": {"kind": "delete", "data": {"tweet_id": 9}, "cursor": None},
    }


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff",
        b"not json",
        b"[]",
        b'{"type":"tweet","version":1,"value":{}}',
        b'{"type":"stream_event","version":2,"value":{"kind":"tweet","data":{},"cursor":null}}',
        b'{"type":"stream_event","version":1,"value":{"kind":"like","data":{},"cursor":null}}',
        b'{"type":"stream_event","version":1,"value":{"kind":"tweet","data":[],"cursor":null}}',
        b'{"type":"stream_event","version":1,"value":{"kind":"tweet","data":{"x":NaN},'
        b'"cursor":null}}',
        b'{"type":"stream_event","version":1,"value":{"kind":"tweet","data":{},"cursor":"7"}}',
        b'{"type":"stream_event","version":1,"value":{"kind":"tweet","data":{}}}',
        b"[" * 100_000,
    ],
)
def test_bytes_that_are_not_an_event_are_unreadable(raw: bytes) -> None:
    with pytest.raises(UnreadableValue):
        decode_event(raw)


@pytest.mark.parametrize(
    "data", [{"at": (1, 2)}, {1: "x"}, {"x": float("inf")}, {"x": object()}, {"x": {2, 3}}]
)
def test_an_event_refuses_data_that_would_not_survive_json(data: dict[str, object]) -> None:
    with pytest.raises(Invalid):
        StreamEvent(kind=EventKind.TWEET, data=data)


def test_an_event_refuses_an_unknown_kind_and_a_non_integer_cursor() -> None:
    with pytest.raises(Invalid):
        StreamEvent(kind="tweet", data={})  # type: ignore[arg-type]
    with pytest.raises(Invalid):
        StreamEvent(kind=EventKind.TWEET, cursor=True)


def test_channels_are_named_by_what_they_carry() -> None:
    assert (feed_channel(3), user_channel(3), author_channel(3)) == (
        "feed:3",
        "user:3",
        "author:3",
    )


def test_a_buffer_holds_exactly_its_bound_and_overflows_past_it() -> None:
    buffer = EventBuffer(2)
    buffer.offer(EVENTS[0])
    buffer.offer(EVENTS[1])
    assert not buffer.wait_missed(0)
    assert [buffer.get(0), buffer.get(0), buffer.get(0)] == [EVENTS[0], EVENTS[1], None]
    for event in EVENTS:
        buffer.offer(event)
    with pytest.raises(MissedEvents, match="2 events behind"):
        buffer.get(0)
    buffer.offer(EVENTS[0])
    with pytest.raises(MissedEvents):
        buffer.get(0)


def test_a_lost_buffer_drops_what_it_held_and_reports_missed_events() -> None:
    buffer = EventBuffer(4)
    buffer.offer(EVENTS[0])
    buffer.lose("connection reset")
    with pytest.raises(MissedEvents, match="connection reset"):
        buffer.get(0)


def test_a_closed_buffer_takes_nothing_and_runs_its_close_hook_once() -> None:
    closes: list[int] = []
    buffer = EventBuffer(4, on_close=lambda: closes.append(1))
    buffer.offer(EVENTS[0])
    buffer.close()
    buffer.offer(EVENTS[1])
    buffer.lose("after close")
    buffer.close()
    assert (buffer.get(WAIT), closes) == (None, [1])


def test_a_waiting_reader_wakes_for_an_event_offered_from_another_thread() -> None:
    buffer = EventBuffer(4)
    waiting, got = threading.Event(), []

    def read() -> None:
        waiting.set()
        got.append(buffer.get(WAIT))

    reader = threading.Thread(target=read)
    reader.start()
    assert waiting.wait(WAIT)
    buffer.offer(EVENTS[0])
    reader.join(WAIT)
    assert got == [EVENTS[0]]


def test_closing_wakes_a_waiting_reader_with_none() -> None:
    buffer = EventBuffer(4)
    waiting, got = threading.Event(), []

    def read() -> None:
        waiting.set()
        got.append(buffer.get(WAIT * 10))

    reader = threading.Thread(target=read)
    reader.start()
    assert waiting.wait(WAIT)
    buffer.close()
    reader.join(WAIT)
    assert got == [None]


def test_a_buffer_must_hold_at_least_one_event() -> None:
    with pytest.raises(ValueError):
        EventBuffer(0)


def test_a_subscription_used_as_a_context_manager_is_closed_on_leaving() -> None:
    closes: list[int] = []
    with EventBuffer(1, on_close=lambda: closes.append(1)) as subscription:
        subscription.offer(EVENTS[0])
    assert (subscription.get(0), closes) == (None, [1])
