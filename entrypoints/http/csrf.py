"""CSRF: an unsafe request that rides on the session cookie must come from our own origin."""

from __future__ import annotations

from urllib.parse import urlsplit

from dependency_injector.wiring import Provide, inject
from flask import Flask, request

from container import Container
from core.domain.errors import Forbidden
from entrypoints.http import auth
from entrypoints.http.parsing import UNSAFE_METHODS

# Sec-Fetch-Site values a browser sends for a request a page of this origin (or the user,
# typing an address) made; `same-site` is a sibling subdomain, which may be someone else's.
TRUSTED_FETCH_SITES = frozenset({"same-origin", "none"})
DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> str | None:
    """`scheme://host[:port]` of a URL, lower-case, default port dropped; None if not a URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    shown = "" if port in (None, DEFAULT_PORTS[parts.scheme]) else f":{port}"
    return f"{parts.scheme}://{parts.hostname}{shown}"


def allowed_origins(public_url: str) -> set[str]:
    """This request's own origin (as ProxyFix left it) and CHIRP_PUBLIC_URL's."""
    own = {origin_of(request.host_url), origin_of(public_url) if public_url else None}
    return {origin for origin in own if origin is not None}


def same_origin(public_url: str) -> bool | None:
    """True or False when the browser said where the request came from, None when it did not.

    `Origin` decides when present (browsers send it on every cross-site POST, and `null`
    from sandboxed frames and some redirects, which never matches); otherwise Fetch
    Metadata's `Sec-Fetch-Site`."""
    origin = request.headers.get("Origin")
    if origin is not None:
        return origin_of(origin) in allowed_origins(public_url)
    site = request.headers.get("Sec-Fetch-Site")
    if site is not None:
        return site.strip().lower() in TRUSTED_FETCH_SITES
    return None


def bearer_authenticated() -> bool:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip())


@inject
def check_request(public_url: str = Provide[Container.settings.provided.public_url]) -> None:
    """before_request: refuse (403) an unsafe request that a cross-site page could have made.
    Every unsafe operation documents that 403 (parsing.Blueprint adds it).

    - A bearer token is never sent by a browser on its own: such requests pass.
    - With the session cookie (and no bearer token), the request must prove it is
      same-origin; one that says nothing (no Origin, no Sec-Fetch-Site) is refused too,
      since a browser old enough to send neither cannot be told apart from a forgery.
    - Without any credentials (login, signup), only a request that says it is cross-site is
      refused: a forged login would sign the victim into the attacker's account.
    """
    if request.method not in UNSAFE_METHODS or bearer_authenticated():
        return
    verdict = same_origin(str(public_url))
    has_cookie = bool(request.cookies.get(auth.COOKIE))
    if verdict is False or (verdict is None and has_cookie):
        raise Forbidden("cross-site request refused: send it from the site's own origin")


def init_app(app: Flask) -> None:
    app.before_request(check_request)
