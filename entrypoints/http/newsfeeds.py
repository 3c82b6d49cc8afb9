"""Newsfeeds: the caller's home timeline."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window
from core.services.timeline import TimelineService
from core.services.views import FeedEntry
from entrypoints.http import auth, bodies
from entrypoints.http.paging import NewestPageArgs, paged
from entrypoints.http.parsing import Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import FeedItemSchema

# One schema instance: given a class, webargs builds a schema (deep-copying its fields) on
# every request, a tenth of a feed page's time; loading keeps no state on the instance.
NEWEST_PAGE = NewestPageArgs()
blp = Blueprint("newsfeeds", __name__, url_prefix="/api/newsfeeds", description="Newsfeed")


@blp.route("/")
class Newsfeed(MethodView):
    @limited("newsfeed")
    @auth.required
    @blp.arguments(NEWEST_PAGE, location="query")
    @paged(blp, FeedItemSchema, bodies.feed_item)
    @inject
    def get(
        self, window: Window, timeline: TimelineService = Provide[Container.timeline]
    ) -> Page[FeedEntry]:
        """The caller's tweets and those of everyone they follow, newest first."""
        return timeline.read_home_feed(auth.current_user().id, window)
