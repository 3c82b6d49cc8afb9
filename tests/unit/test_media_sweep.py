"""The media sweep: photos and avatars no row names are found, and deleted only on request."""

from __future__ import annotations

import os
import time
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.domain.errors import Unavailable
from core.domain.media import Image
from core.domain.tweets import Tweet
from core.services.media import MediaSweeper
from entrypoints.cli.main import cli
from tests.unit.harness import GIF, PNG, Harness

TWO_HOURS = 7200.0


def orphans_of(sweeper: MediaSweeper, *, delete: bool = False) -> list[str]:
    return [key for page in sweeper.sweep(delete=delete) for key in page.orphans]


def set_avatar(h: Harness, user_id: int, data: bytes = PNG) -> str:
    """The new avatar's key."""
    key = h.c.profiles().update_profile(user_id, user_id, avatar=data).profile.avatar_key
    assert key is not None
    return key


def test_a_dry_run_names_old_orphans_and_deletes_nothing(h: Harness) -> None:
    alice = h.user()
    tweet_id = h.post(alice, photos=[PNG, GIF])
    set_avatar(h, alice.id)
    blobs = h.c.blobs()
    blobs.put("photos/999/0.png", PNG, "image/png")
    blobs.put("avatars/999/1.png", PNG, "image/png")
    h.clock.advance(TWO_HOURS)
    assert orphans_of(h.c.media_sweeper()) == ["photos/999/0.png", "avatars/999/1.png"]
    assert blobs.get("photos/999/0.png") is not None
    assert blobs.get(f"photos/{tweet_id}/0.png") is not None


def test_delete_removes_the_orphans_and_keeps_every_named_photo_and_avatar(h: Harness) -> None:
    alice = h.user()
    tweet_id = h.post(alice, photos=[PNG, GIF])
    old_avatar = set_avatar(h, alice.id)
    avatar = set_avatar(h, alice.id, GIF)
    h.c.blobs().put(old_avatar, PNG, "image/png")  # an avatar a failed clean-up left behind
    h.clock.advance(TWO_HOURS)
    assert orphans_of(h.c.media_sweeper(), delete=True) == [old_avatar]
    assert orphans_of(h.c.media_sweeper()) == []
    blobs = h.c.blobs()
    assert blobs.get(avatar) == (GIF, "image/gif")
    assert blobs.get(f"photos/{tweet_id}/0.png") == (PNG, "image/png")
    assert blobs.get(f"photos/{tweet_id}/1.gif") == (GIF, "image/gif")
    assert blobs.get(old_avatar) is None


def test_a_post_that_failed_half_way_leaves_a_photo_the_sweep_removes(h: Harness) -> None:
    alice = h.user()
    blobs = h.c.blobs()

    def fail_the_second_upload() -> None:
        blobs.before("put", lambda: setattr(blobs, "available", False))

    blobs.before("put", fail_the_second_upload)
    with pytest.raises(Unavailable):
        h.post(alice, photos=[PNG, GIF])
    blobs.available = True
    h.clock.advance(TWO_HOURS)
    [orphan] = orphans_of(h.c.media_sweeper(), delete=True)
    assert orphan.startswith("photos/") and blobs.get(orphan) is None
    assert orphans_of(h.c.media_sweeper()) == []


def test_a_sweep_between_an_upload_and_its_commit_keeps_the_photo(h: Harness) -> None:
    """The race the grace period exists for: photos are stored before the tweet's row
    commits; a sweep in that gap sees them unnamed but too young to be orphans."""
    alice = h.user()
    tweet_id = h.c.ids().next_id()
    photos = h.c.media().store_photos(tweet_id, [Image.from_upload(PNG, "files")])
    h.clock.advance(59 * 60)
    assert orphans_of(h.c.media_sweeper(), delete=True) == []
    with h.c.uow_factory()() as uow:
        uow.tweets.add(
            Tweet(
                id=tweet_id,
                user_id=alice.id,
                content="late commit",
                created_at=h.clock.now(),
                photos=photos,
            )
        )
        uow.commit()
    assert h.c.blobs().get(photos[0].key) == (PNG, "image/png")


def test_without_the_grace_period_the_same_gap_would_lose_the_photo(h: Harness) -> None:
    tweet_id = h.c.ids().next_id()
    photos = h.c.media().store_photos(tweet_id, [Image.from_upload(PNG, "files")])
    h.clock.advance(1)
    hasty = MediaSweeper(h.c.uow_factory(), h.c.blobs(), h.clock, grace=timedelta(0))
    assert orphans_of(hasty) == [photos[0].key]


def test_the_sweep_examines_blobs_page_by_page(h: Harness) -> None:
    for n in range(5):
        h.c.blobs().put(f"photos/{n}/0.png", PNG, "image/png")
    h.clock.advance(TWO_HOURS)
    small_pages = MediaSweeper(h.c.uow_factory(), h.c.blobs(), h.clock, page_size=2)
    assert [page.examined for page in small_pages.sweep()] == [2, 2, 1]


def test_chirp_media_sweep_lists_then_deletes_orphans(tmp_path: Path) -> None:
    orphan = tmp_path / "media" / "photos" / "404" / "0.png"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(PNG)
    (tmp_path / "media" / "photos" / "404" / "0.png.type").write_text("image/png")
    two_hours_ago = time.time() - TWO_HOURS
    os.utime(orphan, (two_hours_ago, two_hours_ago))
    env = {"CHIRP_PROFILE": "embedded", "CHIRP_DATA_DIR": str(tmp_path)}

    def run(*args: str) -> str:
        result = CliRunner().invoke(cli, ["media", "sweep", *args], env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    dry = run()
    assert "photos/404/0.png" in dry and "1 orphans found (dry run" in dry
    assert orphan.exists()
    assert "1 orphans deleted" in run("--delete")
    assert not orphan.exists()
    assert "0 orphans" in run()
