"""Profiles: nickname and avatar, owner only, summaries updated at once."""

from __future__ import annotations

import pytest

from core.domain.errors import Forbidden, Invalid, NotFound, TooLarge
from core.domain.media import MAX_IMAGE_BYTES
from core.domain.paging import Window
from tests.unit.harness import JPEG, PNG, Harness


def test_the_owner_sets_a_nickname_and_others_may_not(h: Harness) -> None:
    me, other = h.user(), h.user()
    with pytest.raises(Forbidden):
        h.c.profiles().update_profile(other.id, me.id, nickname="hacked")
    view = h.c.profiles().update_profile(me.id, me.id, nickname="  Me Myself ")
    assert view.profile.nickname == "Me Myself" and view.user.nickname == "Me Myself"


def test_a_nickname_over_200_characters_is_invalid(h: Harness) -> None:
    me = h.user()
    with pytest.raises(Invalid):
        h.c.profiles().update_profile(me.id, me.id, nickname="x" * 201)


def test_an_unknown_profile_is_not_found(h: Harness) -> None:
    with pytest.raises(NotFound):
        h.c.profiles().get_profile(31337)


def test_a_new_avatar_shows_in_every_summary_at_once(h: Harness) -> None:
    me = h.user()
    h.post(me)
    h.feed_ids(me)  # warms the summary cache
    first = h.c.profiles().update_profile(me.id, me.id, avatar=PNG).avatar_url
    second = h.c.profiles().update_profile(me.id, me.id, avatar=JPEG).avatar_url
    assert first != second and second is not None and second.endswith(".jpg")
    entry = h.c.timeline().read_home_feed(me.id, Window()).results[0]
    assert entry.tweet.user.avatar_url == second
    old_key = first.removeprefix(h.c.blobs().url(""))
    assert h.c.blobs().get(old_key) is None


def test_avatars_are_checked_by_content_and_size(h: Harness) -> None:
    me = h.user()
    with pytest.raises(Invalid):
        h.c.profiles().update_profile(me.id, me.id, avatar=b"<html>not an image</html>")
    with pytest.raises(TooLarge):
        h.c.profiles().update_profile(me.id, me.id, avatar=PNG + b"\x00" * MAX_IMAGE_BYTES)
