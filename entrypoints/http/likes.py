"""Likes: liking a tweet or a comment, and taking the like back."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.services.likes import LikeService
from entrypoints.http import auth
from entrypoints.http.args import LikeArgs
from entrypoints.http.parsing import BODY, Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import DeletedSchema, LikeResultSchema

blp = Blueprint("likes", __name__, url_prefix="/api/likes", description="Likes")


@blp.route("/")
class Likes(MethodView):
    @limited("like")
    @auth.required
    @blp.arguments(LikeArgs, location=BODY)
    @blp.response(201, LikeResultSchema)
    @blp.alt_response(200, schema=LikeResultSchema, description="Already liked")
    @inject
    def post(
        self, args: dict[str, Any], likes: LikeService = Provide[Container.likes]
    ) -> tuple[dict[str, Any], int]:
        """Like a tweet or comment (200 with `created: false` when liked already)."""
        view, created = likes.like(auth.current_user().id, args["content_type"], args["object_id"])
        body = {"user": view.user, "created_at": view.created_at, "created": created}
        return body, 201 if created else 200


@blp.route("/cancel/")
class Cancel(MethodView):
    @limited("like")
    @auth.required
    @blp.arguments(LikeArgs, location=BODY)
    @blp.response(200, DeletedSchema)
    @inject
    def post(
        self, args: dict[str, Any], likes: LikeService = Provide[Container.likes]
    ) -> dict[str, Any]:
        """Take a like back; `deleted` is 1, or 0 when there was none."""
        deleted = likes.cancel(auth.current_user().id, args["content_type"], args["object_id"])
        return {"deleted": deleted}
