"""Marshmallow fields of the HTTP contract: API times, ids, safe text and uploaded files."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import marshmallow as ma
from marshmallow.validate import Range
from werkzeug.datastructures import FileStorage

from core.domain import ids

EARLIEST = ids.EPOCH
LATEST = ids.time_of(ids.MAX_ID)


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


class Id(ma.fields.Integer):
    """A 64-bit entity id (1 to 2**63-1); a number or, from a form, its digits."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(validate=Range(min=1, max=ids.MAX_ID), **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int | None:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise self.make_error("invalid")
        if isinstance(value, str) and len(value.strip()) > 30:
            raise self.make_error("too_large")
        return super()._deserialize(value, attr, data, **kwargs)


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
