"""Body limits over HTTP: a declared length over the limit is refused unread, a chunked body
is cut off at the limit, and an anonymous upload is refused before its body is read."""

from __future__ import annotations

import io
import json

import pytest
from werkzeug.test import TestResponse

from core.domain.tweets import MAX_PHOTOS
from entrypoints.http.limits import JSON_BODY_LIMIT, upload_limit
from tests.http.helpers import PASSWORD, Account, Chirp, assert_error

MULTIPART = "multipart/form-data; boundary=chirp"


class Tripwire(io.RawIOBase):
    """A request body that fails the test as soon as more than `allowed` bytes of it are
    read, and tells how many were."""

    def __init__(self, data: bytes, allowed: int = 0) -> None:
        super().__init__()
        self._source = io.BytesIO(data)
        self._allowed = allowed
        self.consumed = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray) -> int:  # type: ignore[override]
        count = self._source.readinto(buffer)
        self.consumed += count
        if self.consumed > self._allowed:
            pytest.fail(f"the app read {self.consumed} bytes of a body it may read {self._allowed}")
        return count


def send(
    api: Chirp,
    method: str,
    path: str,
    body: Tripwire,
    length: int | None,
    content_type: str = "application/json",
    who: Account | None = None,
) -> TestResponse:
    """`body` as the request's input, declared as `length` bytes, or chunked when None."""
    if length is None:
        extra = {"wsgi.input": body, "wsgi.input_terminated": True}
        headers = {"Transfer-Encoding": "chunked"}
    else:
        extra = {"wsgi.input": body, "CONTENT_LENGTH": str(length)}
        headers = {}
    return api.call(
        method, path, who, content_type=content_type, headers=headers, environ_overrides=extra
    )


def signup_body(name: str, size: int | None = None) -> bytes:
    """A valid sign-up as JSON, padded with spaces to `size` bytes when given."""
    body = json.dumps({"username": name, "email": f"{name}@example.com", "password": PASSWORD})
    return body.encode().ljust(size or 0, b" ")


def test_a_signup_declaring_one_byte_over_64_kib_is_a_413_before_its_body_is_read(
    api: Chirp,
) -> None:
    body = Tripwire(signup_body("carol_01"))
    response = send(api, "POST", "/api/accounts/signup/", body, JSON_BODY_LIMIT + 1)
    assert_error(response, 413)
    assert body.consumed == 0


def test_a_signup_of_exactly_64_kib_is_accepted(api: Chirp) -> None:
    body = signup_body("carol_01", JSON_BODY_LIMIT)
    assert len(body) == JSON_BODY_LIMIT
    response = api.post("/api/accounts/signup/", data=body, content_type="application/json")
    assert response.status_code == 201, response.json


def test_a_chunked_signup_past_64_kib_is_cut_off_with_a_413(api: Chirp) -> None:
    body = Tripwire(signup_body("carol_01", 4 * JSON_BODY_LIMIT), allowed=JSON_BODY_LIMIT + 1)
    assert_error(send(api, "POST", "/api/accounts/signup/", body, None), 413)


def test_a_chunked_signup_within_64_kib_is_read_whole(api: Chirp) -> None:
    data = signup_body("carol_01", JSON_BODY_LIMIT)
    body = Tripwire(data, allowed=len(data))
    response = send(api, "POST", "/api/accounts/signup/", body, None)
    assert response.status_code == 201, response.json
    assert body.consumed == len(data)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/accounts/login/"),
        ("POST", "/api/comments/"),
        ("POST", "/api/likes/"),
        ("POST", "/api/likes/cancel/"),
        ("POST", "/api/friendships/1/follow/"),
        ("PUT", "/api/notifications/1/"),
        ("POST", "/api/no/such/route/"),
    ],
)
def test_every_operation_without_files_refuses_a_body_over_64_kib_unread(
    api: Chirp, alice: Account, method: str, path: str
) -> None:
    body = Tripwire(b'{"content": "hello"}')
    assert_error(send(api, method, path, body, JSON_BODY_LIMIT + 1, who=alice), 413)
    assert body.consumed == 0


def test_a_tweet_declaring_more_than_nine_photos_at_the_limit_is_a_413_unread(
    api: Chirp, alice: Account
) -> None:
    body = Tripwire(b"--chirp\r\n")
    declared = upload_limit(MAX_PHOTOS) + 1
    assert_error(send(api, "POST", "/api/tweets/", body, declared, MULTIPART, alice), 413)
    assert body.consumed == 0


def test_a_profile_change_declaring_more_than_one_avatar_is_a_413_unread(
    api: Chirp, alice: Account
) -> None:
    body = Tripwire(b"--chirp\r\n")
    path = f"/api/profiles/{alice.id}/"
    assert_error(send(api, "PATCH", path, body, upload_limit(1) + 1, MULTIPART, alice), 413)
    assert body.consumed == 0


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/api/tweets/"), ("PUT", "/api/profiles/{id}/")]
)
def test_an_anonymous_upload_is_a_401_before_its_body_is_read(
    api: Chirp, alice: Account, method: str, path: str
) -> None:
    body = Tripwire(b"--chirp\r\n")
    response = send(api, method, path.format(id=alice.id), body, upload_limit(1), MULTIPART)
    assert_error(response, 401)
    assert body.consumed == 0
