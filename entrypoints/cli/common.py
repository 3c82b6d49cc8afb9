"""What every chirp command shares: its container, its logging, domain errors as one line."""

from __future__ import annotations

import json
import logging
import sys
from dataclasses import replace
from datetime import UTC, datetime
from typing import IO, Any

import click

from container import Container, build_container
from core.domain.errors import DomainError
from core.services import context
from settings import Settings

# Fields a log call may add with `extra=` (the access log's) that the JSON lines carry.
EXTRA_FIELDS = ("method", "path", "status", "latency_ms", "client")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def container_of(ctx: click.Context, **overrides: Any) -> Container:
    """The command's container, built once from CHIRP_* variables (and `overrides` of
    settings given as options); its resources (pools, engines, consumers) are shut down
    when the command ends."""
    root = ctx.find_root()
    if root.obj is None:
        try:
            root.obj = build_container(replace(Settings.from_env(), **overrides))
        except ValueError as exc:  # a bad CHIRP_* value: say which, not a traceback
            raise click.ClickException(str(exc)) from exc
        settings = root.obj.settings()
        configure_logging(settings.log_format, settings.log_level)
        root.call_on_close(root.obj.shutdown_resources)
    return root.obj  # type: ignore[no-any-return]


class domain_errors:  # noqa: N801  (used as a `with` block)
    """Turns a domain error into a one-line CLI error and exit status 1."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        if isinstance(exc, DomainError):
            details = "; ".join(f"{k}: {', '.join(v)}" for k, v in exc.errors.items())
            raise click.ClickException(exc.message + (f" ({details})" if details else ""))


class RequestIdFilter(logging.Filter):
    """Stamps each record with the request id bound where it was logged ("-" for none)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = context.request_id() or "-"
        return True


def _utc(record: logging.LogRecord) -> str:
    moment = datetime.fromtimestamp(record.created, UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class TextFormatter(logging.Formatter):
    """One line: UTC time, level, logger, [request id], message (and any traceback)."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        return _utc(record)


class JsonFormatter(logging.Formatter):
    """One JSON object per line, for a log shipper: time, level, logger, message,
    request_id, the access log's fields when present, and a traceback as `exc`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": _utc(record),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        line.update({k: getattr(record, k) for k in EXTRA_FIELDS if hasattr(record, k)})
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


def configure_logging(
    log_format: str, level: str = "INFO", stream: IO[str] | None = None
) -> logging.Handler:
    """Send every logger's records (chirp's, gunicorn's error log, the drivers') to one
    handler on the root logger, as text or JSON lines, on stderr: a command's output on
    stdout stays clean. Replaces the handler a previous call installed (a process
    configures once, tests more often)."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "chirp", False)]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    handler.chirp = True  # type: ignore[attr-defined]
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else TextFormatter())
    root.addHandler(handler)
    # No format here names the caller's file, thread or process: not gathering them makes
    # each record (an access line per request) a fifth cheaper (the logging docs' advice).
    logging._srcfile = None
    logging.logThreads = False
    logging.logProcesses = False
    logging.logMultiprocessing = False
    # `level` is chirp's own loggers'; the libraries' INFO (alembic's each time a command
    # opens the database, the drivers') is noise for an operator unless debugging.
    root.setLevel(level if level == "DEBUG" else "WARNING")
    logging.getLogger("chirp").setLevel(level)
    return handler
