"""Photos and avatars over HTTP: multipart uploads, content checks, limits and serving."""

from __future__ import annotations

import io

import pytest

from core.domain.media import MAX_IMAGE_BYTES
from tests.http import images
from tests.http.helpers import Account, Chirp, assert_error


def upload(data: bytes, name: str = "photo.bin") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def post_photos(api: Chirp, who: Account, files: list[bytes], content: str = "look at this"):
    form = {"content": content, "files": [upload(data, f"p{i}") for i, data in enumerate(files)]}
    return api.post("/api/tweets/", who, data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", sorted(images.ALL))
def test_a_photo_of_each_accepted_type_is_stored_and_served(
    api: Chirp, alice: Account, kind: str
) -> None:
    data = images.ALL[kind]()
    response = post_photos(api, alice, [data])
    assert response.status_code == 201, response.json
    [url] = response.json["photo_urls"]
    served = api.get(url)
    assert served.status_code == 200
    assert served.mimetype == kind and served.data == data


def test_photos_keep_upload_order(api: Chirp, alice: Account) -> None:
    files = [images.png(), images.gif(), images.jpeg(), images.webp()]
    urls = post_photos(api, alice, files).json["photo_urls"]
    assert [api.get(url).mimetype for url in urls] == [
        "image/png",
        "image/gif",
        "image/jpeg",
        "image/webp",
    ]


def test_a_text_file_is_refused_even_when_named_like_an_image(api: Chirp, alice: Account) -> None:
    form = {"content": "look at this", "files": [upload(b"just some text\n", "cat.png")]}
    response = api.post("/api/tweets/", alice, data=form)
    assert_error(response, 400, "files")


def test_a_photo_over_5_mib_is_a_413(api: Chirp, alice: Account) -> None:
    big = images.png() + b"\x00" * MAX_IMAGE_BYTES
    assert_error(post_photos(api, alice, [big]), 413, "files")


def test_ten_photos_are_a_400_naming_files(api: Chirp, alice: Account) -> None:
    assert_error(post_photos(api, alice, [images.png()] * 10), 400, "files")


def test_nine_photos_are_fine(api: Chirp, alice: Account) -> None:
    response = post_photos(api, alice, [images.gif()] * 9)
    assert response.status_code == 201 and len(response.json["photo_urls"]) == 9


def test_a_body_over_the_upload_limit_is_a_413(api: Chirp, alice: Account) -> None:
    huge = b"\x00" * (api.app.config["MAX_CONTENT_LENGTH"] + 1)
    response = api.post("/api/tweets/", alice, data=huge, content_type="application/octet-stream")
    assert_error(response, 413)


def test_a_multipart_tweet_without_content_says_it_is_missing(api: Chirp, alice: Account) -> None:
    response = api.post("/api/tweets/", alice, data={"files": [upload(images.png())]})
    assert_error(response, 400, "content")
    assert response.json["message"] == "missing content in request"


def test_files_sent_as_a_text_part_are_a_400(api: Chirp, alice: Account) -> None:
    response = api.post(
        "/api/tweets/",
        alice,
        data={"content": "hello world", "files": "x"},
        content_type="multipart/form-data",
    )
    assert_error(response, 400, "files")


def test_a_new_avatar_appears_in_every_summary(api: Chirp, alice: Account) -> None:
    tweet = api.tweet(alice)
    form = {"avatar": upload(images.png(), "me.png"), "nickname": "Alice"}
    response = api.call("PUT", f"/api/profiles/{alice.id}/", alice, data=form)
    assert response.status_code == 200, response.json
    avatar = response.json["avatar_url"]
    assert avatar and api.get(avatar).data == images.png()
    assert response.json["user"] == {
        "id": alice.id,
        "username": "alice_01",
        "nickname": "Alice",
        "avatar_url": avatar,
    }
    assert api.get(f"/api/tweets/{tweet['id']}/").json["user"]["avatar_url"] == avatar
    assert (
        api.get(f"/api/tweets/?user_id={alice.id}").json["results"][0]["user"]["nickname"]
        == "Alice"
    )


def test_an_avatar_that_is_not_an_image_is_a_400_naming_avatar(api: Chirp, alice: Account) -> None:
    form = {"avatar": upload(b"%PDF-1.4 not an image", "me.png")}
    assert_error(api.call("PATCH", f"/api/profiles/{alice.id}/", alice, data=form), 400, "avatar")


def test_an_unknown_media_key_is_a_404(api: Chirp) -> None:
    assert_error(api.get("/media/avatars/1/none.png"), 404)
    assert_error(api.get("/media/../secret_key"), 404)
    assert_error(api.get("/media/%00evil"), 404)
