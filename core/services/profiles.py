"""Profiles: reading and updating nickname and avatar."""

from __future__ import annotations

from collections.abc import Callable

from core.domain.errors import Forbidden, NotFound
from core.domain.media import Image
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator
from core.ports.unit_of_work import UnitOfWork
from core.services.lookups import Lookups
from core.services.media import MediaService
from core.services.views import ProfileView

UNCHANGED = object()


class ProfileService:
    """A user's public face.

    - Anyone may read a profile; only its owner may change it.
    - A new avatar appears in every user summary at once (the cached summary is dropped).
    - The old avatar is deleted only after the new one is committed.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        clock: Clock,
        ids: IdGenerator,
        lookups: Lookups,
        media: MediaService,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._ids = ids
        self._lookups = lookups
        self._media = media

    def get_profile(self, user_id: int) -> ProfileView:
        with self._uow_factory() as uow:
            user, profile = uow.users.get(user_id), uow.profiles.get(user_id)
        if user is None or profile is None:
            raise NotFound("no such profile")
        summary = self._lookups.summary_of(user, profile)
        return ProfileView(profile=profile, user=summary, avatar_url=summary.avatar_url)

    def update_profile(
        self,
        actor_id: int,
        user_id: int,
        *,
        nickname: str | None | object = UNCHANGED,
        avatar: bytes | None = None,
    ) -> ProfileView:
        image = Image.from_upload(avatar, "avatar") if avatar is not None else None
        with self._uow_factory() as uow:
            profile = uow.profiles.get(user_id)
            if profile is None:
                raise NotFound("no such profile")
            if actor_id != user_id:
                raise Forbidden("you can only change your own profile")
            now = self._clock.now()
            if nickname is not UNCHANGED:
                profile.rename(nickname if isinstance(nickname, str) else None, now)
            old_key = profile.avatar_key
            if image is not None:
                key = self._media.store_avatar(user_id, self._ids.next_id(), image)
                profile.change_avatar(key, now)
            uow.profiles.update(profile)
            uow.commit()
        self._lookups.forget_users([user_id])
        if image is not None and old_key:
            self._media.delete([old_key])
        return self.get_profile(user_id)
