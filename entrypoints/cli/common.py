"""What every chirp command shares: its container, and domain errors as one-line errors."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import click

from container import Container, build_container
from core.domain.errors import DomainError
from settings import Settings


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
