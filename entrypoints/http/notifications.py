"""Notifications: the caller's own, their unread count, and marking them read."""

from __future__ import annotations

from typing import Any

from dependency_injector.wiring import Provide, inject
from flask.views import MethodView

from container import Container
from core.domain.paging import Page, Window
from core.services.notifications import NotificationService
from core.services.views import NotificationView
from entrypoints.http import auth
from entrypoints.http.args import NotificationEditArgs, NotificationListArgs
from entrypoints.http.errordocs import fails
from entrypoints.http.paging import NewestPageArgs, paged
from entrypoints.http.parsing import BODY, Blueprint
from entrypoints.http.ratelimit import limited
from entrypoints.http.schemas import MarkedCountSchema, NotificationSchema, UnreadCountSchema

blp = Blueprint(
    "notifications", __name__, url_prefix="/api/notifications", description="Notifications"
)


@blp.route("/")
class Notifications(MethodView):
    @limited("read")
    @auth.required
    @blp.arguments(NotificationListArgs, location="query")
    @blp.arguments(NewestPageArgs, location="query")
    @paged(blp, NotificationSchema)
    @inject
    def get(
        self,
        query: dict[str, Any],
        window: Window,
        notifications: NotificationService = Provide[Container.notifications],
    ) -> Page[NotificationView]:
        """The caller's notifications, newest first; `?unread=true|false` filters."""
        user = auth.current_user()
        return notifications.list_notifications(user.id, window, query.get("unread"))


@blp.route("/unread-count/")
class UnreadCount(MethodView):
    @limited("read")
    @auth.required
    @blp.response(200, UnreadCountSchema)
    @inject
    def get(
        self, notifications: NotificationService = Provide[Container.notifications]
    ) -> dict[str, Any]:
        """How many of the caller's notifications are unread."""
        return {"unread_count": notifications.unread_count(auth.current_user().id)}


@blp.route("/mark-all-as-read/")
class MarkAllAsRead(MethodView):
    @limited("notification_mark")
    @auth.required
    @blp.response(200, MarkedCountSchema)
    @inject
    def post(
        self, notifications: NotificationService = Provide[Container.notifications]
    ) -> dict[str, Any]:
        """Mark every unread notification of the caller read."""
        return {"marked_count": notifications.mark_all_read(auth.current_user().id)}


@blp.route("/<id:notification_id>/")
class Notification(MethodView):
    @limited("notification_mark")
    @auth.required
    @blp.arguments(NotificationEditArgs, location=BODY)
    @blp.response(200, NotificationSchema)
    @fails(404)
    @inject
    def put(
        self,
        args: dict[str, Any],
        notification_id: int,
        notifications: NotificationService = Provide[Container.notifications],
    ) -> NotificationView:
        """Mark one notification read or unread (someone else's: 404)."""
        return notifications.mark(auth.current_user().id, notification_id, args["unread"])

    patch = put
