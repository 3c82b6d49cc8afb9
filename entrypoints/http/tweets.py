"""Tweets: a user's tweets, posting (with photos), reading one, editing, deleting."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Response
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window
from core.domain.tweets import MAX_PHOTOS
from core.services.posting import PostingService
from core.services.views import TweetView
from entrypoints.http import auth, bodies
from entrypoints.http.args import IdempotencyArgs, TweetCreateArgs, TweetListArgs, TweetTextArgs
from entrypoints.http.errordocs import fails, fails_when
from entrypoints.http.limits import uploads
from entrypoints.http.paging import NewestPageArgs, paged
from entrypoints.http.parsing import BODY, Blueprint, json_alternative
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import SuccessSchema, TweetDetailSchema, TweetSchema

# Schema instances: given a class, webargs builds a schema (deep-copying its fields) on
# every request, a tenth of a feed page's time; loading keeps no state on the instance.
NEWEST_PAGE, TWEET_LIST = NewestPageArgs(), TweetListArgs()
TWEET_CREATE, IDEMPOTENCY = TweetCreateArgs(), IdempotencyArgs()
blp = Blueprint("tweets", __name__, url_prefix="/api/tweets", description="Tweets")
SPENT_KEY_DOC = (
    "The Idempotency-Key made a tweet within the hour that was deleted since: the key is "
    "spent (a retry never brings a deleted tweet back); send a new key"
)


@blp.route("/")
class Tweets(MethodView):
    @limited("read")
    @blp.arguments(TWEET_LIST, location="query")
    @blp.arguments(NEWEST_PAGE, location="query")
    @paged(blp, TweetSchema, bodies.tweet)
    @inject
    def get(
        self,
        query: dict[str, Any],
        window: Window,
        posting: PostingService = Provide[Container.posting],
    ) -> Page[TweetView]:
        """A user's tweets, newest first (an unknown user has none)."""
        return posting.list_user_tweets(auth.optional_user_id(), query["user_id"], window)

    @limited("tweet_create")
    @auth.required
    @blp.arguments(TWEET_CREATE, location=BODY, content_type="multipart/form-data")
    @blp.arguments(IDEMPOTENCY, location="headers")
    @blp.response(201, TweetSchema)
    @blp.alt_response(200, schema=TweetSchema, description="A retried Idempotency-Key")
    @fails_when(409, SPENT_KEY_DOC)
    @json_alternative(blp, TweetTextArgs)
    @uploads(files=MAX_PHOTOS)
    @inject
    def post(
        self,
        args: dict[str, Any],
        headers: dict[str, Any],
        posting: PostingService = Provide[Container.posting],
    ) -> Response:
        """Post a tweet: `content` 6-140 characters and 0-9 photos, one `files` part each."""
        view, created = posting.post_tweet(
            auth.current_user().id, args["content"], args["files"], headers.get("key")
        )
        return bodies.respond(bodies.tweet(view), 201 if created else 200)


@blp.route("/<id:tweet_id>/")
class Tweet(MethodView):
    @limited("read")
    @blp.response(200, TweetDetailSchema)
    @fails(404)
    @inject
    def get(self, tweet_id: int, posting: PostingService = Provide[Container.posting]) -> Response:
        """One tweet with its first 100 comments (oldest first) and likes (newest first)."""
        return bodies.respond(
            bodies.tweet_detail(posting.get_tweet(auth.optional_user_id(), tweet_id))
        )

    @limited("edit")
    @auth.required
    @blp.arguments(TweetTextArgs, location=BODY)
    @blp.response(200, TweetSchema)
    @fails(403, 404)
    @inject
    def patch(
        self,
        args: dict[str, Any],
        tweet_id: int,
        posting: PostingService = Provide[Container.posting],
    ) -> TweetView:
        """Edit the text (owner only); sets edited_at."""
        return posting.edit_tweet(auth.current_user().id, tweet_id, args["content"])

    @limited("edit")
    @auth.required
    @blp.response(200, SuccessSchema)
    @fails(403, 404)
    @inject
    def delete(
        self, tweet_id: int, posting: PostingService = Provide[Container.posting]
    ) -> dict[str, Any]:
        """Delete a tweet with its comments, likes and photos (owner only)."""
        posting.delete_tweet(auth.current_user().id, tweet_id)
        return {}
