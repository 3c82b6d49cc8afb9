"""Comments: a tweet's comments (oldest first), commenting, editing, deleting."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window
from core.services.comments import CommentService
from core.services.views import CommentView
from entrypoints.http import auth
from entrypoints.http.args import CommentCreateArgs, CommentEditArgs, CommentListArgs
from entrypoints.http.errordocs import fails
from entrypoints.http.paging import OldestPageArgs, paged
from entrypoints.http.parsing import BODY, Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import CommentSchema, SuccessSchema

blp = Blueprint("comments", __name__, url_prefix="/api/comments", description="Comments")


@blp.route("/")
class Comments(MethodView):
    @limited("read")
    @blp.arguments(CommentListArgs, location="query")
    @blp.arguments(OldestPageArgs, location="query")
    @paged(blp, CommentSchema)
    @inject
    def get(
        self,
        query: dict[str, Any],
        window: Window,
        comments: CommentService = Provide[Container.comments],
    ) -> Page[CommentView]:
        """A tweet's comments, oldest first; `next_cursor` continues to newer ones."""
        return comments.list_comments(auth.optional_user_id(), query["tweet_id"], window)

    @limited("comment_create")
    @auth.required
    @blp.arguments(CommentCreateArgs, location=BODY)
    @blp.response(201, CommentSchema)
    @inject
    def post(
        self, args: dict[str, Any], comments: CommentService = Provide[Container.comments]
    ) -> CommentView:
        """Comment on a tweet (1-140 characters); notifies its author."""
        return comments.add_comment(auth.current_user().id, args["tweet_id"], args["content"])


@blp.route("/<id:comment_id>/")
class Comment(MethodView):
    @limited("read")
    @blp.response(200, CommentSchema)
    @fails(404)
    @inject
    def get(
        self, comment_id: int, comments: CommentService = Provide[Container.comments]
    ) -> CommentView:
        """One comment."""
        return comments.get_comment(auth.optional_user_id(), comment_id)

    @limited("edit")
    @auth.required
    @blp.arguments(CommentEditArgs, location=BODY)
    @blp.response(200, CommentSchema)
    @fails(403, 404)
    @inject
    def put(
        self,
        args: dict[str, Any],
        comment_id: int,
        comments: CommentService = Provide[Container.comments],
    ) -> CommentView:
        """Change the text (owner only); other fields sent are ignored."""
        return comments.edit_comment(auth.current_user().id, comment_id, args["content"])

    patch = put

    @limited("edit")
    @auth.required
    @blp.response(200, SuccessSchema)
    @fails(403, 404)
    @inject
    def delete(
        self, comment_id: int, comments: CommentService = Provide[Container.comments]
    ) -> dict[str, Any]:
        """Delete a comment (owner only)."""
        comments.delete_comment(auth.current_user().id, comment_id)
        return {}
