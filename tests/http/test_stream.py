"""The live home feed over HTTP: what a connected client is told, and what it replays."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from container import Container
from entrypoints.http.app import create_app
from tests.http.helpers import Account, Chirp, close_container, make_container
from tests.sse import EventReader

STREAM = "/api/newsfeeds/stream/"


@pytest.fixture
def container(tmp_path: Path, profile: str) -> Iterator[Container]:
    # Heartbeats often, so a closed reader notices at once; streams long enough for a test.
    container = make_container(tmp_path, profile, stream_heartbeat_ms=50, stream_max_ms=30_000)
    yield container
    close_container(container)


class Streams:
    """Opens streams on the test client and closes them all at the end."""

    def __init__(self, api: Chirp) -> None:
        self.api = api
        self.open: list[EventReader] = []

    def connect(self, who: Account, **headers: str) -> EventReader:
        response = self.api.get(STREAM, who, headers=headers, buffered=False)
        assert response.status_code == 200, response.get_data()
        assert response.mimetype == "text/event-stream"
        reader = EventReader(response.response, on_close=response.close)
        reader.next("comment")  # connected: subscribed, and any replay starts now
        self.open.append(reader)
        return reader

    def close_all(self) -> None:
        for reader in self.open:
            reader.close()


@pytest.fixture
def streams(api: Chirp) -> Iterator[Streams]:
    opened = Streams(api)
    yield opened
    opened.close_all()


def test_a_followed_users_tweet_arrives_as_the_newsfeed_shows_it(
    api: Chirp, streams: Streams, alice: Account, bob: Account
) -> None:
    api.follow(alice, bob)
    live = streams.connect(alice)
    tweet = api.tweet(bob, "live from bob")
    event = live.next("tweet")
    page = api.get("/api/newsfeeds/", alice).json
    assert event.json == page["results"][0]
    assert event.json["tweet"]["id"] == tweet["id"]
    assert event.id == page["prev_cursor"]


def test_the_authors_own_tweet_arrives_on_their_stream(
    api: Chirp, streams: Streams, alice: Account
) -> None:
    live = streams.connect(alice)
    tweet = api.tweet(alice, "my own words")
    assert live.next("tweet").json["tweet"]["id"] == tweet["id"]


def test_a_deleted_tweet_is_taken_back(
    api: Chirp, streams: Streams, alice: Account, bob: Account
) -> None:
    api.follow(alice, bob)
    tweet = api.tweet(bob, "soon gone")
    api.settle()
    live = streams.connect(alice)
    assert api.call("DELETE", f"/api/tweets/{tweet['id']}/", bob).status_code == 200
    assert live.next("delete").json == {"id": tweet["id"]}


def test_a_notification_arrives_with_the_new_unread_count(
    api: Chirp, streams: Streams, alice: Account, bob: Account
) -> None:
    tweet = api.tweet(alice, "like me")
    live = streams.connect(alice)
    assert api.like(bob, "tweet", tweet["id"]).status_code == 201
    event = live.next("notification")
    listed = api.get("/api/notifications/", alice).json["results"][0]
    assert event.json == {"notification": listed, "unread_count": 1}


def test_reconnecting_with_last_event_id_replays_exactly_the_missed_entries(
    api: Chirp, streams: Streams, alice: Account, bob: Account
) -> None:
    api.follow(alice, bob)
    first = streams.connect(alice)
    api.tweet(bob, "seen live")
    seen = first.next("tweet")
    first.close()
    missed = [api.tweet(bob, f"missed {n}")["id"] for n in range(3)]
    api.settle()
    again = streams.connect(alice, **{"Last-Event-ID": str(seen.id)})
    replayed = again.take(3, "tweet")
    assert [e.json["id"] for e in replayed] == missed  # oldest first, none twice
    later = api.tweet(bob, "live again")
    assert again.next("tweet").json["id"] == later["id"]


def test_since_replays_from_a_newsfeed_position(
    api: Chirp, streams: Streams, alice: Account, bob: Account
) -> None:
    api.follow(alice, bob)
    api.tweet(bob, "an older one")
    api.settle()
    position = api.get("/api/newsfeeds/", alice).json["prev_cursor"]
    newer = api.tweet(bob, "a newer one")["id"]
    api.settle()
    response = api.get(f"{STREAM}?since={position}", alice, buffered=False)
    assert response.status_code == 200
    reader = EventReader(response.response, on_close=response.close)
    streams.open.append(reader)
    assert reader.next("tweet").json["id"] == newer


def test_a_stream_needs_a_signed_in_reader(api: Chirp) -> None:
    response = api.get(STREAM)
    assert response.status_code == 401
    assert response.json["success"] is False


def test_an_unreadable_position_is_refused(api: Chirp, alice: Account) -> None:
    response = api.get(STREAM, alice, headers={"Last-Event-ID": "garbage"})
    assert response.status_code == 400
    assert "Last-Event-ID" in response.json["errors"]


def test_an_api_server_on_thread_workers_sends_clients_to_the_stream_server(
    container: Container, alice: Account
) -> None:
    api_only: Flask = create_app(container, streams=False)
    response = api_only.test_client().get(STREAM, headers=alice.auth)
    assert response.status_code == 404
    assert "chirp stream" in response.json["message"]
