"""Marshmallow fields of the HTTP contract: API times, ids, cursors, safe text, uploaded files."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from werkzeug.datastructures import FileStorage

from core.domain import ids
from core.domain.errors import Invalid
from core.domain.paging import decode_cursor

EARLIEST = ids.EPOCH
LATEST = ids.time_of(ids.MAX_ID)
# What the API writes: no sign, no leading zero, at most 19 digits. Reads also take
# leading zeros; the range check (up to 2**63-1) is the field's.
ID_PATTERN = "^[1-9][0-9]{0,18}$"
DIGITS = re.compile("[0-9]{1,30}")


def api_time(moment: datetime) -> str:
    """An aware datetime as the API writes it: UTC, microseconds, `Z`."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class Time(ma.fields.DateTime):
    """A datetime written as `2026-11-21T04:41:38.923886Z`; read from any ISO-8601 form.

    A time without a zone is taken as UTC, and a time is clamped to the span ids can
    express, so `created_at__lt=9999-12-31` simply means "everything".
    """

    def _serialize(self, value: datetime | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return api_time(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> datetime:
        moment = super()._deserialize(value, attr, data, **kwargs)
        try:
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment
            moment = moment.astimezone(UTC)
        except (OverflowError, ValueError) as exc:
            raise self.make_error("invalid", input=value, obj_type=self.OBJ_TYPE) from exc
        return min(max(moment, EARLIEST), LATEST)


class Id(ma.fields.Field):
    """A 64-bit entity id (1 to 2**63-1), written as a decimal string (`"894431163894685696"`):
    JavaScript's `JSON.parse` rounds numbers above 2**53 to a neighbouring id.

    Read from a string of ASCII digits or from a JSON integer, never from a float (`1e18`,
    `12.0`): time-ordered ids lie far above 2**53, where a float may be a rounded, wrong id.
    """

    default_error_messages = {"invalid": "Not a valid id: a decimal string of 1 to 2**63-1."}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {
            "type": "string",
            "pattern": ID_PATTERN,
            "example": "894431163894685696",
            "description": "a 64-bit id as a decimal string (a request may send a number)",
            **kwargs.pop("metadata", {}),
        }
        super().__init__(metadata=metadata, **kwargs)

    def _serialize(self, value: int | None, attr: str | None, obj: Any, **kwargs: Any) -> Any:
        return None if value is None else str(value)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        number = _whole_number(value)
        if number is None or not 1 <= number <= ids.MAX_ID:
            raise self.make_error("invalid")
        return number


def _whole_number(value: Any) -> int | None:
    """The integer a request sent for an id, or None when it is not exactly one."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and DIGITS.fullmatch(value):
        return int(value)
    return None


class Cursor(ma.fields.String):
    """An opaque paging position (`cursor`, `since`): one we made, or 400 naming the field.

    Checked here, for every list alike, so no list can drop an unreadable one silently; an
    empty value means no position.
    """

    default_error_messages = {"invalid": "Not a valid cursor."}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        token: str = super()._deserialize(value, attr, data, **kwargs)
        if token:
            try:
                decode_cursor(token)
            except Invalid as exc:
                raise self.make_error("invalid") from exc
        return token


class Text(ma.fields.String):
    """A string that any store can keep: lone surrogates (from `\\ud800` in JSON) refused."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        text: str = super()._deserialize(value, attr, data, **kwargs)
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise ma.ValidationError("Not valid unicode text.") from exc
        return text


class Upload(ma.fields.Field):
    """One uploaded file part, read into bytes (the core checks type and size)."""

    default_error_messages = {"invalid": "Not a file upload."}

    def __init__(self, **kwargs: Any) -> None:
        metadata = {"type": "string", "format": "binary", **kwargs.pop("metadata", {})}
        super().__init__(metadata=metadata, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bytes:
        if not isinstance(value, FileStorage):
            raise self.make_error("invalid")
        content: bytes = value.read()
        return content
