"""Request body limits, enforced before a body is read: small for JSON, sized for uploads."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import IO, Any

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from core.domain.media import MAX_IMAGE_BYTES
from entrypoints.http import errordocs
from entrypoints.http.parsing import Decorator, view_method

# Every operation without file parts (sign-up, login, comments, likes...) takes a JSON body
# of a few hundred bytes at most; 64 KiB leaves room for any legal one.
JSON_BODY_LIMIT = 64 * 1024
# Beside its files, a multipart body holds boundaries, part headers and the text parts.
FORM_OVERHEAD = 1024 * 1024
BODY_LIMIT = "body_limit"


def upload_limit(files: int) -> int:
    """The largest legal body of an operation that takes up to `files` images."""
    return files * MAX_IMAGE_BYTES + FORM_OVERHEAD


def uploads(files: int) -> Decorator:
    """Mark an operation that takes up to `files` image parts: its body may reach
    `upload_limit(files)` instead of JSON_BODY_LIMIT. Documents its 413 (a body or an image
    too large). Like `ratelimit.limited`'s, the mark travels outwards with `__dict__`."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        documented = errordocs.documents(413)(view)
        setattr(documented, BODY_LIMIT, upload_limit(files))
        return documented

    return decorator


def limit_for(view: Callable[..., Any] | None, method: str) -> int:
    """The body limit of a request: its operation's mark, else the JSON one (unknown routes
    and methods included)."""
    limit = getattr(view_method(view, method), BODY_LIMIT, None)
    return limit if isinstance(limit, int) else JSON_BODY_LIMIT


def largest_limit(app: Flask) -> int:
    """The largest body limit of any operation of `app` (its blueprints registered)."""
    limits = [JSON_BODY_LIMIT]
    for view in app.view_functions.values():
        methods = getattr(getattr(view, "view_class", None), "methods", None) or ["GET"]
        limits.extend(limit_for(view, method) for method in methods)
    return max(limits)


class CappedInput(io.RawIOBase):
    """A request body of undeclared length (chunked) that raises RequestEntityTooLarge (413)
    as soon as it goes on past `limit` bytes.

    Werkzeug's own cap (`max_content_length` on such a body) stops reading at the limit
    and hands the view a silently truncated body; this one asks for a byte more than is
    left, so a body that goes on is told apart from one that ends right at the limit."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        super().__init__()
        self._stream = stream
        self._limit = self._left = limit

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        window = memoryview(buffer).cast("B")[: self._left + 1]
        data = self._stream.read(len(window))
        if len(data) > self._left:
            raise RequestEntityTooLarge(f"request body is larger than {self._limit} bytes")
        window[: len(data)] = data
        self._left -= len(data)
        return len(data)


def check_body_size() -> None:
    """before_request: a declared Content-Length over the operation's limit is a 413 before
    a byte of the body is read; a body of undeclared length is cut off with a 413 when it
    passes the limit while it is read, never buffered whole."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    limit = limit_for(view, request.method)
    declared = request.content_length
    if declared is None:
        request.environ["wsgi.input"] = CappedInput(request.environ["wsgi.input"], limit)
    elif declared > limit:
        raise RequestEntityTooLarge(f"request body is larger than {limit} bytes")


def init_app(app: Flask) -> None:
    """Check every request's body size. Call after `ratelimit.init_app`, so a refused body
    still counts against its limit. MAX_CONTENT_LENGTH becomes the largest limit: what the
    server in front (`chirp serve`) may buffer at most."""
    app.config["MAX_CONTENT_LENGTH"] = largest_limit(app)
    app.before_request(check_body_size)
