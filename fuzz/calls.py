"""How the fuzz sends a case: as whom, multipart with real files, checked, and counted."""

from __future__ import annotations

import io
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.constants import NOT_SET
from schemathesis.internal.checks import CheckContext, CheckFunction
from schemathesis.specs.openapi.checks import response_schema_conformance

from core.domain.ids import MAX_ID
from entrypoints.http.fields import ID_PATTERN
from fuzz.mapping import AS_HEADER
from fuzz.world import World
from tests.http import images

# Who a case is sent as: mostly `me` by bearer token; also an admin, nobody, and `me`'s
# session cookie from our own origin, from another site (the CSRF 403) and saying nothing.
MODES = (
    *["bearer"] * 5,
    "admin",
    "anonymous",
    "cookie",
    "cookie_cross_site",
    "cookie_silent",
)
ID = re.compile(ID_PATTERN)
OWN_ORIGIN = "http://localhost"
EVIL_ORIGIN = "https://evil.example"
IMAGES: tuple[Callable[[], bytes], ...] = (images.png, images.gif, images.jpeg, images.webp)
SUFFIXES = (".png", ".gif", ".jpg", ".webp")


class Tally:
    """Calls and statuses per operation (`METHOD /path`), for the summary."""

    def __init__(self) -> None:
        self.statuses: defaultdict[str, Counter[int]] = defaultdict(Counter)
        self.failures: list[str] = []
        self.notes: list[str] = []

    def add(self, operation: str, status: int) -> None:
        self.statuses[operation][status] += 1

    def calls(self, operation: str) -> int:
        return sum(self.statuses[operation].values())

    def server_errors(self) -> int:
        return sum(n for c in self.statuses.values() for code, n in c.items() if code >= 500)

    def lines(self, title: str) -> list[str]:
        width = max((len(op) for op in self.statuses), default=10)
        rows = [f"{title}: calls per operation (status: count)"]
        for operation in sorted(self.statuses):
            codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.statuses[operation].items()))
            rows.append(f"  {operation:<{width}} {self.calls(operation):>6}  {codes}")
        total = sum(self.calls(op) for op in self.statuses)
        rows.append(f"  total {total} calls, {self.server_errors()} server errors (5xx)")
        rows.extend(f"  {note}" for note in self.notes)
        rows.extend(f"  FAILED {failure}" for failure in self.failures)
        return rows


def status_documented(ctx: CheckContext, response: Any, case: schemathesis.Case) -> None:
    """The status is one the operation lists, not only its catch-all `default` error.

    One exception: a path id that is not an id (negative data) matches no route, and the
    404 of an unmatched route is documented by the id parameter's schema, not by every
    operation (followers and followings list none of their own)."""
    responses = case.operation.definition.raw["responses"]
    documented = {str(code) for code in responses if str(code) != "default"}
    if str(response.status_code) in documented:
        return
    if response.status_code == 404 and not _ids_only(case.path_parameters):
        return
    raise AssertionError(
        f"{case.method} {case.path} answered {response.status_code}, "
        f"documented: {sorted(documented)}"
    )


def _ids_only(parameters: dict[str, Any] | None) -> bool:
    """Whether every path parameter is an id a route matches (`<id:...>`, `<blobkey:...>`
    aside: a key naming no file is a documented 404)."""
    values = [str(v) for k, v in (parameters or {}).items() if k != "key"]
    return all(ID.fullmatch(value) and int(value) <= MAX_ID for value in values)


CHECKS: tuple[CheckFunction, ...] = (
    not_a_server_error,
    response_schema_conformance,
    status_documented,
)


def credentials(world: World, case: schemathesis.Case, who: str) -> dict[str, Any]:
    """`call_wsgi` keyword arguments (headers, cookies) that send `case` as `who`."""
    if who == "anonymous":
        return {}
    # A logout ends the session it carries: give it one of its own (never the admin's).
    if case.path == "/api/accounts/logout/":
        token, who = world.fresh_token(), "bearer" if who == "admin" else who
    else:
        token = world.admin.token if who == "admin" else world.me.token
    if who in ("bearer", "admin"):
        return {"headers": {"Authorization": f"Bearer {token}"}}
    origin = {"cookie": OWN_ORIGIN, "cookie_cross_site": EVIL_ORIGIN}.get(who)
    return {"headers": {"Origin": origin} if origin else {}, "cookies": {"chirp_session": token}}


def multipart(body: dict[str, Any]) -> dict[str, Any]:
    """A generated multipart body as Werkzeug sends it: byte values become file parts,
    two in three of them swapped for a real image (else every upload is a 400); text
    parts stay text. Schemathesis' own WSGI path sends bytes as text, which never
    reaches a file field."""
    data: dict[str, Any] = {}
    for name, value in body.items():
        values = value if isinstance(value, list) else [value]
        if values and all(isinstance(item, bytes) or hasattr(item, "data") for item in values):
            data[name] = [_file(getattr(item, "data", item)) for item in values]
        else:
            data[name] = value
    return data


def _file(raw: Any) -> tuple[io.BytesIO, str]:
    which = len(raw) % len(IMAGES)
    content = raw if len(raw) % 3 == 2 else IMAGES[which]()
    return io.BytesIO(content), f"upload{SUFFIXES[which]}"


def call(world: World, tally: Tally, case: schemathesis.Case) -> Any:
    """Send `case` as the mode it was generated with, count it, keep the world's pools true."""
    who = str(case.headers.pop(AS_HEADER, MODES[0])) if case.headers else MODES[0]
    kwargs = credentials(world, case, who)
    operation = f"{case.method} {case.operation.path}"
    if (case.media_type or "").startswith("multipart/") and case.body is not NOT_SET:
        # A body that is no object (negative data) goes as the bytes of its text, which
        # Werkzeug's client would not take.
        body = case.body
        kwargs["data"] = multipart(body) if isinstance(body, dict) else str(body).encode()
        operation += " (multipart)"
    response = case.call_wsgi(**kwargs)
    tally.add(operation, response.status_code)
    if case.method == "DELETE" and response.status_code == 200:
        collection = case.operation.path.split("/")[2].removesuffix("s")
        object_id = next(iter((case.path_parameters or {}).values()), "")
        world.forget(collection, str(object_id))
    return response


def check(tally: Tally, case: schemathesis.Case, response: Any, *extra: CheckFunction) -> None:
    """Every check of CHECKS (and `extra`); a failure is also written down with the request,
    since Hypothesis may replay it against a world that has changed since (and then report
    only that the replay differs)."""
    try:
        case.validate_response(response, checks=(*CHECKS, *extra))
    except AssertionError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        tally.failures.append(f"{describe(case)} -> {response.status_code}: {first}")
        raise


def describe(case: schemathesis.Case) -> str:
    """One line naming a request: method, path, query and body (cut short)."""
    body = "" if case.body is NOT_SET else repr(case.body)
    return f"{case.method} {case.formatted_path} query={case.query} body={body[:300]}"


def send(world: World, tally: Tally, case: schemathesis.Case) -> None:
    """`call`, then `check`."""
    check(tally, case, call(world, tally, case))
