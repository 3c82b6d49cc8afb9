"""Photos and avatars over HTTP: multipart uploads, content checks, limits and serving."""

from __future__ import annotations

import io
from typing import Any

import pytest
from dependency_injector import providers
from werkzeug.test import TestResponse

from adapters.memory.blobs import InMemoryBlobStore
from core.domain.media import MAX_IMAGE_BYTES
from tests.http import images
from tests.http.helpers import Account, Chirp, assert_error, blob_path


def upload(data: bytes, name: str = "photo.bin") -> tuple[io.BytesIO, str]:
    return io.BytesIO(data), name


def body(response: TestResponse) -> Any:
    """The JSON a response carries."""
    assert response.is_json, response.get_data(as_text=True)
    return response.json


def post_photos(
    api: Chirp, who: Account, files: list[bytes], content: str = "look at this"
) -> TestResponse:
    form = {"content": content, "files": [upload(data, f"p{i}") for i, data in enumerate(files)]}
    return api.post("/api/tweets/", who, data=form, content_type="multipart/form-data")


@pytest.mark.parametrize("kind", sorted(images.ALL))
def test_a_photo_of_each_accepted_type_is_stored_and_served(
    api: Chirp, alice: Account, kind: str
) -> None:
    data = images.ALL[kind]()
    response = post_photos(api, alice, [data])
    assert response.status_code == 201, response.json
    [url] = body(response)["photo_urls"]
    served = api.fetch(url)
    assert served.status_code == 200
    assert served.mimetype == kind and served.data == data


def test_photos_keep_upload_order(api: Chirp, alice: Account) -> None:
    files = [images.png(), images.gif(), images.jpeg(), images.webp()]
    urls = body(post_photos(api, alice, files))["photo_urls"]
    assert [api.fetch(url).mimetype for url in urls] == [
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
    assert response.status_code == 201 and len(body(response)["photo_urls"]) == 9


def test_nine_photos_at_the_size_limit_are_a_legal_post(api: Chirp, alice: Account) -> None:
    photos = [kind().ljust(MAX_IMAGE_BYTES, b"\x00") for kind in images.ALL.values()] * 3
    response = post_photos(api, alice, photos[:9])
    assert response.status_code == 201, response.json
    [last] = body(response)["photo_urls"][-1:]
    assert api.fetch(last).data == photos[8]


def test_an_avatar_at_the_size_limit_is_accepted(api: Chirp, alice: Account) -> None:
    avatar = images.jpeg().ljust(MAX_IMAGE_BYTES, b"\x00")
    form = {"avatar": upload(avatar, "me.jpg"), "nickname": "Alice"}
    response = api.call("PATCH", f"/api/profiles/{alice.id}/", alice, data=form)
    assert response.status_code == 200, response.json
    assert api.fetch(body(response)["avatar_url"]).data == avatar


def test_a_multipart_tweet_without_content_says_it_is_missing(api: Chirp, alice: Account) -> None:
    response = api.post("/api/tweets/", alice, data={"files": [upload(images.png())]})
    assert_error(response, 400, "content")
    assert body(response)["message"] == "missing content in request"


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
    avatar = body(response)["avatar_url"]
    assert avatar and api.fetch(avatar).data == images.png()
    user = body(response)["user"]
    assert {**user, "avatar_url": blob_path(user["avatar_url"])} == {
        "id": alice.id,
        "username": "alice_01",
        "nickname": "Alice",
        "avatar_url": blob_path(avatar),
    }
    shown = body(api.get(f"/api/tweets/{tweet['id']}/"))["user"]["avatar_url"]
    assert blob_path(shown) == blob_path(avatar)
    assert (
        body(api.get(f"/api/tweets/?user_id={alice.id}"))["results"][0]["user"]["nickname"]
        == "Alice"
    )


def test_an_avatar_that_is_not_an_image_is_a_400_naming_avatar(api: Chirp, alice: Account) -> None:
    form = {"avatar": upload(b"%PDF-1.4 not an image", "me.png")}
    assert_error(api.call("PATCH", f"/api/profiles/{alice.id}/", alice, data=form), 400, "avatar")


def test_an_unknown_media_key_is_a_404(api: Chirp) -> None:
    assert_error(api.get("/media/avatars/1/none.png"), 404)
    assert_error(api.get("/media/../secret_key"), 404)
    assert_error(api.get("/media/%00evil"), 404)


@pytest.mark.parametrize(
    "path",
    [
        "photos",
        "photos/{tweet}",
        "photos/{tweet}/",
        "photos/{tweet}/0.png/more",
        "photos/{tweet}/0.png.type",
        "a" * 300,
        "photos/{tweet}/" + "b" * 300 + ".png",
        "photos/%2e%2e/%2e%2e/secret_key",
        "photos/%00/0.png",
        "photos/%ff%fe.png",
        "photos/%ed%a0%80.png",
    ],
    ids=[
        "top folder",
        "tweet folder",
        "tweet folder with slash",
        "below a file",
        "type sidecar",
        "name over NAME_MAX",
        "nested name over NAME_MAX",
        "dot-dot",
        "NUL",
        "invalid UTF-8",
        "encoded surrogate",
    ],
)
def test_what_is_not_a_stored_photo_is_a_404(api: Chirp, alice: Account, path: str) -> None:
    [url] = body(post_photos(api, alice, [images.png()]))["photo_urls"]
    tweet = blob_path(url).split("/")[-2]
    assert api.fetch(url).status_code == 200
    assert_error(api.get("/media/" + path.format(tweet=tweet)), 404)


@pytest.mark.parametrize(
    "key",
    ["/".join(["c" * 200] * 25) + ".png", "photos/\ud800.png", "photos/\udcff.png"],
    ids=["path over PATH_MAX", "lone surrogate", "escaped undecodable byte"],
)
def test_keys_the_route_cannot_carry_are_missing_from_the_folder_the_app_serves(
    api: Chirp, key: str
) -> None:
    # The route matches keys of at most 500 ASCII characters, so the store the app serves
    # from is asked directly (PATH_MAX is 4096 on Linux).
    assert api.container.local_blobs().get(key) is None


def test_media_serves_nothing_on_a_profile_whose_blobs_are_elsewhere(api: Chirp) -> None:
    elsewhere = InMemoryBlobStore()
    elsewhere.put("photos/1/0.png", images.png(), "image/png")
    with api.container.blobs.override(providers.Object(elsewhere)):
        assert_error(api.get("/media/photos/1/0.png"), 404)
        assert_error(api.get("/media/photos"), 404)
