"""Cursor paging over HTTP: query parameters to a Window, a Page to the paged body + Link."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, wraps
from typing import Any
from urllib.parse import urlencode

import marshmallow as ma
from flask import request
from marshmallow.validate import Range

from core.domain.paging import DEFAULT_LIMIT, MAX_LIMIT, Page, Window
from entrypoints.http.fields import Text, Time
from entrypoints.http.parsing import Blueprint, Decorator

F = ma.fields
POSITION_PARAMS = ("cursor", "since", "created_at__lt", "created_at__gt")
LINK_HEADER = {
    "Link": {
        "description": 'The next page, `<url>; rel="next"`, when has_next_page is true',
        "schema": {"type": "string"},
    }
}


class OldestPageArgs(ma.Schema):
    """`limit` and `cursor` of an oldest-first list; loads as a Window."""

    class Meta:
        unknown = ma.EXCLUDE

    limit = F.Integer(load_default=DEFAULT_LIMIT, validate=Range(min=1, max=MAX_LIMIT))
    cursor = Text(metadata={"description": "opaque, from a previous page's next_cursor"})

    @ma.post_load
    def window(self, data: dict[str, Any], **kwargs: Any) -> Window:
        return Window.oldest(**data)


class NewestPageArgs(OldestPageArgs):
    """Paging of a newest-first list; `since` and `created_at__gt` go newer."""

    since = Text(metadata={"description": "opaque: items newer than this (a prev_cursor)"})
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
    """The `Link: <...>; rel="next"` header of a page that has a next one."""
    if not page.has_next_page:
        return {}
    newer = bool(request.args.get("since") or request.args.get("created_at__gt"))
    key, value = ("since", page.prev_cursor) if newer else ("cursor", page.next_cursor)
    if value is None:
        return {}
    query = [(k, v) for k, v in request.args.items(multi=True) if k not in POSITION_PARAMS]
    query.append((key, value))
    return {"Link": f'<{request.base_url}?{urlencode(query)}>; rel="next"'}


def paged(blp: Blueprint, item: type[ma.Schema]) -> Decorator:
    """`@blp.response(200, <item>Page)` for a view returning a Page, adding the Link header."""

    def decorator(func: Callable[..., Page[Any]]) -> Callable[..., Any]:
        @blp.response(200, page_schema(item), headers=LINK_HEADER)
        @wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            page = func(*args, **kwargs)
            return page, 200, next_link(page)

        return wrapper

    return decorator
