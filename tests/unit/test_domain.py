"""Domain rules that hold wherever an object is made."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from core.domain import ids
from core.domain.errors import Invalid, TooLarge
from core.domain.gates import Gate
from core.domain.media import MAX_IMAGE_BYTES, Image
from core.domain.paging import Window, decode_cursor, encode_cursor
from core.domain.social import Comment
from core.domain.tweets import Photo, Tweet
from tests.unit.harness import GIF, JPEG, PNG, WEBP

NOW = datetime(2026, 11, 21, 4, 41, 38, 923886, tzinfo=UTC)


def tweet(content: str, photos: int = 0) -> Tweet:
    return Tweet(
        id=1,
        user_id=1,
        content=content,
        created_at=NOW,
        photos=tuple(
            Photo(key=f"k{i}", content_type="image/png", position=i) for i in range(photos)
        ),
    )


def test_tweet_content_is_trimmed_and_must_be_6_to_140_characters() -> None:
    assert tweet("   hello!   ").content == "hello!"
    for bad in ("  hi   ", "x" * 141, "     "):
        with pytest.raises(Invalid):
            tweet(bad)
    assert len(tweet("x" * 140).content) == 140


def test_a_tweet_has_at_most_nine_photos() -> None:
    assert len(tweet("with photos", photos=9).photos) == 9
    with pytest.raises(Invalid):
        tweet("with photos", photos=10)


def test_editing_a_tweet_sets_edited_at_and_rechecks_content() -> None:
    t = tweet("original text")
    t.edit("  new text here ", NOW)
    assert (t.content, t.edited_at) == ("new text here", NOW)
    with pytest.raises(Invalid):
        t.edit("no", NOW)


def test_comment_content_is_1_to_140_characters() -> None:
    def make(text: str) -> Comment:
        return Comment(id=1, tweet_id=1, user_id=1, content=text, created_at=NOW, updated_at=NOW)

    assert make(" a ").content == "a"
    for bad in ("   ", "x" * 141):
        with pytest.raises(Invalid):
            make(bad)


def test_ids_carry_their_creation_time_to_the_microsecond() -> None:
    made = ids.compose(ids.micros_of(NOW), 3, 7)
    assert ids.time_of(made) == NOW
    assert ids.first_id_at(NOW) <= made <= ids.last_id_at(NOW)
    assert ids.last_id_at(NOW) < ids.first_id_at(NOW.replace(microsecond=923887))


@pytest.mark.parametrize(
    "data,kind",
    [(PNG, "image/png"), (JPEG, "image/jpeg"), (GIF, "image/gif"), (WEBP, "image/webp")],
)
def test_images_are_recognised_by_content(data: bytes, kind: str) -> None:
    assert Image.from_upload(data, "files").content_type == kind


def test_a_text_file_named_like_an_image_is_rejected() -> None:
    with pytest.raises(Invalid) as err:
        Image.from_upload(b"just some text, not a picture", "avatar")
    assert "avatar" in err.value.errors


def test_an_image_over_five_mib_is_too_large() -> None:
    with pytest.raises(TooLarge):
        Image.from_upload(PNG + b"\x00" * MAX_IMAGE_BYTES, "files")


def test_cursors_round_trip_and_foreign_cursors_are_invalid() -> None:
    assert decode_cursor(encode_cursor(12345)) == 12345
    for bad in ("garbage", "!!!", encode_cursor(1)[:-2] + "$$", ""):
        with pytest.raises(Invalid):
            decode_cursor(bad)


def test_page_size_must_be_between_1_and_100() -> None:
    assert Window.newest(limit=100).limit == 100
    for bad in (0, 101):
        with pytest.raises(Invalid):
            Window.newest(limit=bad)


def test_created_at_bounds_become_exact_id_bounds() -> None:
    window = Window.newest(created_before=NOW, created_after=NOW.replace(second=1))
    assert window.upper == ids.first_id_at(NOW)
    assert window.lower == ids.last_id_at(NOW.replace(second=1))


def test_times_beyond_what_ids_express_clamp_to_the_id_range() -> None:
    assert ids.first_id_at(datetime(9999, 12, 31, tzinfo=UTC)) == ids.MAX_ID
    assert ids.last_id_at(datetime(1970, 1, 1, tzinfo=UTC)) == 0


def test_gate_buckets_are_stable_and_lists_override_the_percent() -> None:
    gate = Gate(name="hbase_feeds", percent=50, allow=frozenset({1}), deny=frozenset({2}))
    assert all(gate.bucket(uid) == gate.bucket(uid) for uid in range(100))
    assert gate.is_open_for(1) and not gate.is_open_for(2)
    opened = sum(Gate(name="g", percent=30).is_open_for(uid) for uid in range(10_000))
    assert 2500 < opened < 3500
    with pytest.raises(Invalid):
        Gate(name="g", percent=101)
