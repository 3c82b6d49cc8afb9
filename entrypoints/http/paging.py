"""Cursor paging over HTTP: query parameters to a Window, a Page to the paged body + Link."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache, wraps
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from marshmallow.validate import Range

from core.domain.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, Window, decode_cursor
from entrypoints.http import bodies
from entrypoints.http.fields import Cursor, Time
from entrypoints.http.parsing import Blueprint, Decorator

F = ma.fields
POSITION_PARAMS = ("cursor", "since", "created_at__lt", "created_at__gt")
LINK_HEADER = {
    "Link": {
        "description": 'The next page, `<url>; rel="next"`, when has_next_page is true',
        "schema": {"type": "string"},
    }
}


class PageArgs(ma.Schema):
    """`limit`, `cursor` and `since`, which every paged list reads and checks alike.

    Unknown query parameters are ignored, so a position parameter a list did not declare
    would be dropped silently (an unreadable `since` answered 200 on comments): both live
    here, and a `Cursor` field answers 400 naming the one it cannot read.
    """

    class Meta:
        unknown = ma.EXCLUDE

    limit = F.Integer(load_default=DEFAULT_LIMIT, validate=Range(min=1, max=MAX_LIMIT))
    cursor = Cursor(metadata={"description": "opaque, from a previous page's next_cursor"})
    since = Cursor(metadata={"description": "opaque: items newer than this (a prev_cursor)"})


class OldestPageArgs(PageArgs):
    """Paging of an oldest-first list (comments); loads as a Window.

    Both `cursor` and `since` go newer on such a list; given both, the newer bound wins.
    """

    since = Cursor(metadata={"description": "opaque: items newer than this, as `cursor`"})

    @ma.post_load
    def window(self, data: dict[str, Any], **kwargs: Any) -> Window:
        positions = [data[name] for name in ("cursor", "since") if data.get(name)]
        newest = max(positions, key=decode_cursor, default=None)
        return Window.oldest(limit=data["limit"], cursor=newest)


class NewestPageArgs(PageArgs):
    """Paging of a newest-first list; `since` and `created_at__gt` go newer."""

    created_at__lt = Time(metadata={"description": "older than this time"})
    created_at__gt = Time(metadata={"description": "newer than this time"})

    @ma.post_load
    def window(self, data: dict[str, Any], **kwargs: Any) -> Window:
        return Window.newest(
            limit=data["limit"],
            cursor=data.get("cursor"),
            since=data.get("since"),
            created_before=data.get("created_at__lt"),
            created_after=data.get("created_at__gt"),
        )


@cache
def page_schema(item: type[ma.Schema]) -> type[ma.Schema]:
    """`{"results", "has_next_page", "next_cursor", "prev_cursor"}` of `item`s, named after
    it (TweetSchema -> TweetPageSchema)."""
    name = item.__name__.removesuffix("Schema") + "PageSchema"
    fields = {
        "results": F.List(F.Nested(item), required=True),
        "has_next_page": F.Boolean(required=True),
        "next_cursor": F.String(required=True, allow_none=True),
        "prev_cursor": F.String(required=True, allow_none=True),
    }
    return type(name, (ma.Schema,), fields)


def next_link(page: Page[Any]) -> dict[str, str]:
    """The `Link: <...>; rel="next"` header of this request's page, if it has a next one."""
    return link_header(page, request.args.items(multi=True), request.base_url)


def link_header(page: Page[Any], args: Iterable[tuple[str, str]], base_url: str) -> dict[str, str]:
    """The `Link: <...>; rel="next"` header of a page that has a next one, asked for with
    query `args` at `base_url`."""
    if not page.has_next_page:
        return {}
    args = list(args)
    first = {key: value for key, value in reversed(args)}
    newer = bool(first.get("since") or first.get("created_at__gt"))
    # An oldest-first list has no prev_cursor: it goes newer by `cursor` even after `since`.
    key, value = "cursor", page.next_cursor
    if newer and page.prev_cursor is not None:
        key, value = "since", page.prev_cursor
    if value is None:
        return {}
    query = [(k, v) for k, v in args if k not in POSITION_PARAMS]
    query.append((key, value))
    return {"Link": f'<{base_url}?{urlencode(query)}>; rel="next"'}


def paged(
    blp: Blueprint, item: type[ma.Schema], body: Callable[[Any], bodies.Body] | None = None
) -> Decorator:
    """`@blp.response(200, <item>Page)` for a view returning a Page, adding the Link header;
    with `body` (a function of bodies.py giving what `item` dumps), a hot list skips the
    schema's dump."""

    def decorator(func: Callable[..., Page[Any]]) -> Callable[..., Any]:
        @blp.response(200, page_schema(item), headers=LINK_HEADER)
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            page = func(*args, **kwargs)
            if body is not None:
                return bodies.respond(bodies.page(page, body)), 200, next_link(page)
            return page, 200, next_link(page)

        return wrapper

    return decorator
