"""Rate limiting of the API: views name their action with `@limited`; one hook counts."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Flask, Response, current_app, g, request

from container import Container
from core.domain.errors import RateLimited
from core.services.ratelimit import RateLimiter, RateStatus
from entrypoints.http import auth, errordocs
from entrypoints.http.parsing import Decorator, view_method

ACTION = "rate_limit_action"
# Actions counted per IP even for a known user: logging in is what a stranger hammers.
BY_IP = frozenset({"auth"})
# A request counted in front of Flask (`hotlane`) and handed to it: its standing, or the
# RateLimited its count raised. Flask's hook takes it instead of counting again.
COUNTED = "chirp.rate_counted"


def limited(action: str) -> Decorator:
    """Count an operation's requests against `action` and document its 429.

    The counting is not done here but in `count_request`, before anything else runs, so
    a request refused for its body or its credentials still counts and still carries the
    X-RateLimit-* headers. The mark travels outwards with the function's `__dict__`
    (functools.wraps copies it), so any decorator order works.
    """

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        documented = errordocs.documents(429)(view)
        setattr(documented, ACTION, action)
        return documented

    return decorator


def action_for(view: Callable[..., Any] | None, method: str) -> str | None:
    """The action a request counts against: the mark of the method that will answer it
    (a MethodView answers HEAD with `get`), None for an unlimited one."""
    action = getattr(view_method(view, method), ACTION, None)
    return action if isinstance(action, str) else None


def subject_for(action: str) -> str:
    """Whom this request counts for (see `subject_of`)."""
    user_id = None if action in BY_IP else auth.optional_user_id()
    return subject_of(action, user_id, request.remote_addr or "unknown")


def subject_of(action: str, user_id: int | None, address: str) -> str:
    """Whom a request counts for: the user when known (and the action is per user), else IP."""
    if action not in BY_IP and user_id is not None:
        return f"user:{user_id}"
    return f"ip:{address}"


@inject
def count_request(limiter: RateLimiter = Provide[Container.rate_limiter]) -> None:
    """before_request: count this request; RateLimited (429) when over a limit."""
    if COUNTED in request.environ:
        standing = request.environ[COUNTED]
        if isinstance(standing, RateLimited):
            raise standing
        g.rate_status = standing
        return
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    action = action_for(view, request.method)
    if action is None or not limiter.limited(action):
        return
    g.rate_status = limiter.hit(action, subject_for(action))


def add_headers(response: Response) -> Response:
    """after_request: the X-RateLimit-* headers of a counted request, whatever its status."""
    status: RateStatus | None = g.get("rate_status")
    response.headers.update(headers_of(status))
    return response


def headers_of(status: RateStatus | None) -> dict[str, str]:
    """The X-RateLimit-* headers of a request counted with this standing (none if not)."""
    if status is None:
        return {}
    return {
        "X-RateLimit-Limit": str(status.limit),
        "X-RateLimit-Remaining": str(status.remaining),
        "X-RateLimit-Reset": str(status.reset),
    }


def init_app(app: Flask) -> None:
    app.before_request(count_request)
    app.after_request(add_headers)
