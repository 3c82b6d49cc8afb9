"""Rate limiting of the API in one place: endpoint and method -> action -> RateLimiter."""

from __future__ import annotations

from dependency_injector.wiring import Provide, inject
from flask import Flask, Response, g, request

from container import Container
from core.services.ratelimit import RateLimiter, RateStatus
from entrypoints.http import auth

# (endpoint, method) -> action; every other GET of an API blueprint is a "read".
ACTIONS: dict[tuple[str, str], str] = {
    ("accounts.Signup", "POST"): "auth",
    ("accounts.Login", "POST"): "auth",
    ("accounts.Logout", "POST"): "auth",
    ("accounts.LoginStatus", "GET"): "auth",
    ("tweets.Tweets", "POST"): "tweet_create",
    ("friendships.Follow", "POST"): "follow",
    ("friendships.Unfollow", "POST"): "follow",
    ("likes.Likes", "POST"): "like",
    ("likes.Cancel", "POST"): "like",
    ("comments.Comments", "POST"): "comment_create",
    ("newsfeeds.Newsfeed", "GET"): "newsfeed",
}
READ_BLUEPRINTS = frozenset(
    {"users", "profiles", "tweets", "friendships", "comments", "likes", "notifications"}
)
BY_IP = frozenset({"auth"})


def action_for(endpoint: str | None, method: str) -> str | None:
    """The limited action a request counts against, if any."""
    if endpoint is None:
        return None
    method = "GET" if method == "HEAD" else method
    action = ACTIONS.get((endpoint, method))
    if action is None and method == "GET" and endpoint.split(".")[0] in READ_BLUEPRINTS:
        return "read"
    return action


def subject_for(action: str) -> str:
    """Whom a request counts for: the user when known (and the action is per user), else IP."""
    if action not in BY_IP and (user_id := auth.optional_user_id()) is not None:
        return f"user:{user_id}"
    return f"ip:{request.remote_addr or 'unknown'}"


@inject
def count_request(limiter: RateLimiter = Provide[Container.rate_limiter]) -> None:
    """before_request: count this request; RateLimited (429) when over a limit."""
    action = action_for(request.endpoint, request.method)
    if action is None or not limiter.limited(action):
        return
    g.rate_status = limiter.hit(action, subject_for(action))


def add_headers(response: Response) -> Response:
    """after_request: the X-RateLimit-* headers of a counted request, whatever its status."""
    status: RateStatus | None = g.get("rate_status")
    if status is not None:
        response.headers["X-RateLimit-Limit"] = str(status.limit)
        response.headers["X-RateLimit-Remaining"] = str(status.remaining)
        response.headers["X-RateLimit-Reset"] = str(status.reset)
    return response


def init_app(app: Flask) -> None:
    app.before_request(count_request)
    app.after_request(add_headers)
