"""Friendships: follow, unfollow, and a user's followers and followings."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window
from core.services.following import FollowingService
from core.services.views import FollowView
from entrypoints.http import auth
from entrypoints.http.errordocs import fails
from entrypoints.http.paging import NewestPageArgs, paged
from entrypoints.http.parsing import Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import DeletedSchema, FollowResultSchema, FollowSchema

blp = Blueprint("friendships", __name__, url_prefix="/api/friendships", description="Friendships")


@blp.route("/<id:user_id>/follow/")
class Follow(MethodView):
    @limited("follow")
    @auth.required
    @blp.response(201, FollowResultSchema)
    @fails(400, 404)
    @inject
    def post(
        self, user_id: int, following: FollowingService = Provide[Container.following]
    ) -> dict[str, Any]:
        """Follow a user (201 again, with `duplicate: true`, when already following)."""
        view, created = following.follow(auth.current_user().id, user_id)
        return {
            "user": view.user,
            "created_at": view.created_at,
            "has_followed": view.has_followed,
            "duplicate": not created,
        }


@blp.route("/<id:user_id>/unfollow/")
class Unfollow(MethodView):
    @limited("follow")
    @auth.required
    @blp.response(200, DeletedSchema)
    @fails(400, 404)
    @inject
    def post(
        self, user_id: int, following: FollowingService = Provide[Container.following]
    ) -> dict[str, Any]:
        """Stop following a user; `deleted` is 1, or 0 when not following."""
        return {"deleted": following.unfollow(auth.current_user().id, user_id)}


@blp.route("/<id:user_id>/followers/")
class Followers(MethodView):
    @limited("read")
    @fails(404)  # a path id that is no id
    @blp.arguments(NewestPageArgs, location="query")
    @paged(blp, FollowSchema)
    @inject
    def get(
        self,
        window: Window,
        user_id: int,
        following: FollowingService = Provide[Container.following],
    ) -> Page[FollowView]:
        """Who follows the user, newest first."""
        return following.followers(auth.optional_user_id(), user_id, window)


@blp.route("/<id:user_id>/followings/")
class Followings(MethodView):
    @limited("read")
    @fails(404)  # a path id that is no id
    @blp.arguments(NewestPageArgs, location="query")
    @paged(blp, FollowSchema)
    @inject
    def get(
        self,
        window: Window,
        user_id: int,
        following: FollowingService = Provide[Container.following],
    ) -> Page[FollowView]:
        """Whom the user follows, newest first."""
        return following.followings(auth.optional_user_id(), user_id, window)
