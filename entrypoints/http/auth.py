"""Who is calling: a bearer token or the `chirp_session` cookie, checked by AccountService."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from dependency_injector.wiring import Provide, inject
from flask import Flask, Response, after_this_request, current_app, g, request
from werkzeug.http import parse_cookie

from container import Container
from core.domain.errors import Unauthenticated
from core.domain.users import User
from core.services.accounts import AccountService, token_hash
from entrypoints.http import errordocs
from entrypoints.http.sessions import SessionCache

COOKIE = "chirp_session"
SECONDS_PER_DAY = 86_400
SESSIONS = "chirp.sessions"


def token_in(authorization: str, cookie_header: str | None) -> str | None:
    """The raw token of a request with these headers: `Authorization: Bearer` first, then
    the cookie."""
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if not cookie_header:
        return None
    return parse_cookie(cookie_header).get(COOKIE) or None


def token_from_request() -> str | None:
    """The raw token the request carries."""
    return token_in(request.headers.get("Authorization", ""), request.headers.get("Cookie"))


def sessions_of(app: Flask) -> SessionCache:
    """`app`'s per-process cache of authenticated tokens (see SessionCache's rules)."""
    found: SessionCache = app.extensions.setdefault(SESSIONS, SessionCache())
    return found


def sessions() -> SessionCache:
    return sessions_of(current_app)


def user_for(cache: SessionCache, token: str) -> User:
    """The user `token` signs in (from `cache` when it knows it); Unauthenticated if none."""
    return cache.user(token_hash(token), partial(_from_store, token))


def _authenticate() -> User:
    token = token_from_request()
    if not token:
        return _from_store(token)
    return user_for(sessions(), token)


@inject
def _from_store(token: str | None, accounts: AccountService = Provide[Container.accounts]) -> User:
    return accounts.authenticate(token)


def forget_token(token: str) -> None:
    """After logout: the token stops on this process at once (elsewhere, see SessionCache)."""
    sessions().forget(token_hash(token))


def current_user() -> User:
    """The authenticated caller; Unauthenticated (401) for anyone else."""
    if "caller" not in g:
        try:
            g.caller = _authenticate()
        except Unauthenticated as exc:
            g.caller = exc
    caller: User | Unauthenticated = g.caller
    if isinstance(caller, Unauthenticated):
        raise caller
    return caller


def required(view: Callable[..., Any]) -> Callable[..., Any]:
    """Authenticate before anything else (a 401 comes before any complaint about the body);
    documents the operation's 401, so no view lists it."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current_user()
        return view(*args, **kwargs)

    return errordocs.documents(401)(wrapper)


def optional_user() -> User | None:
    """The caller when authenticated; None for anonymous (or stale) credentials."""
    if token_from_request() is None:
        return None
    try:
        return current_user()
    except Unauthenticated:
        return None


def optional_user_id() -> int | None:
    user = optional_user()
    return user.id if user is not None else None


@inject
def _secure(always: bool = Provide[Container.settings.provided.cookie_secure]) -> bool:
    """Whether the session cookie is Secure: always (CHIRP_COOKIE_SECURE), or when the
    request came over https (as a trusted proxy says, see `app.trust_proxies`)."""
    return bool(always) or request.is_secure


@inject
def remember(
    token: str, ttl_days: int = Provide[Container.settings.provided.token_ttl_days]
) -> None:
    """Set the session cookie on this request's response: HttpOnly, SameSite=Lax, Path=/,
    Secure over https."""
    max_age = int(ttl_days) * SECONDS_PER_DAY
    secure = _secure()

    @after_this_request
    def set_cookie(response: Response) -> Response:
        response.set_cookie(
            COOKIE, token, max_age=max_age, path="/", httponly=True, samesite="Lax", secure=secure
        )
        return response


def forget() -> None:
    """Clear the session cookie on this request's response, with the attributes it is set
    with."""
    secure = _secure()

    @after_this_request
    def clear_cookie(response: Response) -> Response:
        response.delete_cookie(COOKIE, path="/", httponly=True, samesite="Lax", secure=secure)
        return response
