"""The live home feed: Server-Sent Events of new entries, deletions and notifications."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import marshmallow as ma
from dependency_injector.wiring import Provide, inject
from flask import Response, current_app
from flask.views import MethodView

from container import Container
from core.domain.errors import NotFound
from core.domain.paging import decode_cursor, encode_cursor
from core.services.stream import (
    FeedStream,
    Heartbeat,
    LiveDelete,
    LiveFeed,
    LiveItem,
    LiveNotification,
    LiveTweet,
    Reconnect,
)
from entrypoints.http import auth, bodies
from entrypoints.http.errordocs import fails_when
from entrypoints.http.fields import Cursor
from entrypoints.http.parsing import Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import NotificationSchema

# Set by whoever serves the app on green workers (`chirp stream`, embedded `chirp serve`):
# there an open stream costs a greenlet; on thread workers it would hold a request thread.
STREAMS = "CHIRP_STREAMS"
RETRY_MS = 3000  # how long an EventSource waits before reconnecting
NOT_HERE = "live streams are served by `chirp stream`, not by this API server"

blp = Blueprint("stream", __name__, url_prefix="/api/newsfeeds", description="Newsfeed")
_NOTE = NotificationSchema()


class StreamArgs(ma.Schema):
    since = Cursor(
        metadata={"description": "opaque: replay entries newer than this position first "
                  "(an `id:` the stream sent, or a newsfeed page's prev_cursor)"}
    )  # fmt: skip


class StreamHeaders(ma.Schema):
    class Meta:
        unknown = ma.EXCLUDE  # every other header

    last_event_id = Cursor(
        data_key="Last-Event-ID",
        metadata={"description": "the last `id:` received (EventSource sends it when it "
                  "reconnects): replay from there; wins over `since`"},
    )  # fmt: skip


STREAM_DOC: dict[str, Any] = {
    "description": (
        "Server-Sent Events (`text/event-stream`). `event: tweet` (data: a newsfeed item; "
        '`id:` the position to resume from), `event: delete` (data: `{"id"}` of a deleted '
        'tweet), `event: notification` (data: `{"notification", "unread_count"}`), a '
        "`: heartbeat` comment every 15 s, and `event: reconnect` when the stream fell "
        "behind (reconnect with `Last-Event-ID`: the missed entries are replayed first)."
    ),
    "content": {"text/event-stream": {"schema": {"type": "string"}}},
}


@blp.route("/stream/")
class NewsfeedStream(MethodView):
    @limited("stream")
    @auth.required
    @blp.arguments(StreamArgs, location="query")
    @blp.arguments(StreamHeaders, location="headers")
    @blp.doc(responses={200: STREAM_DOC})
    @fails_when(404, "This server does not hold live streams (`chirp stream` does)")
    @inject
    def get(
        self,
        args: dict[str, Any],
        headers: dict[str, Any],
        live: LiveFeed = Provide[Container.live_feed],
    ) -> Response:
        """The caller's home feed, live: what lands in it from now on, pushed."""
        if not current_app.config.get(STREAMS, False):
            raise NotFound(NOT_HERE)
        since = _position(headers.get("last_event_id"), args.get("since"))
        stream = live.open(auth.current_user().id, since)  # before any byte: 503 if down
        response = Response(_frames(stream, _max_seconds()), mimetype="text/event-stream")
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
        return response


def _position(last_event_id: str | None, since: str | None) -> int | None:
    """The position to replay from (both were checked readable by their fields)."""
    token = last_event_id or since
    return decode_cursor(token) if token else None


@inject
def _max_seconds(ms: int = Provide[Container.settings.provided.stream_max_ms]) -> float:
    return ms / 1000


def _frames(stream: FeedStream, max_seconds: float) -> Iterator[bytes]:
    """The SSE bytes of a stream; closing the response (the client left) closes it. The
    stream ends after `max_seconds`, so connections rebalance over servers; the client
    reconnects from its last id and loses nothing."""
    deadline = time.monotonic() + max_seconds
    try:
        yield f"retry: {RETRY_MS}\n: connected\n\n".encode()
        for item in stream:
            yield frame(item)
            if isinstance(item, Reconnect) or time.monotonic() >= deadline:
                return
    finally:
        stream.close()


def frame(item: LiveItem) -> bytes:
    """One event (or comment) in the text/event-stream format."""
    if isinstance(item, Heartbeat):
        return b": heartbeat\n\n"
    if isinstance(item, LiveTweet):
        data = bodies.encode(bodies.feed_item(item.entry))
        return b"id: %s\nevent: tweet\ndata: %s\n\n" % (encode_cursor(item.position).encode(), data)
    if isinstance(item, LiveDelete):
        return b"event: delete\ndata: %s\n\n" % bodies.encode({"id": str(item.tweet_id)})
    if isinstance(item, LiveNotification):
        body = {"notification": _NOTE.dump(item.view), "unread_count": item.unread_count}
        return b"event: notification\ndata: %s\n\n" % bodies.encode(body)
    return b"event: reconnect\ndata: %s\n\n" % bodies.encode({"reason": item.reason})
