"""Domain errors: the categories every entrypoint maps to one status."""

from __future__ import annotations


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors: dict[str, list[str]] = errors or {}

    @classmethod
    def on_field(cls, field: str, message: str) -> DomainError:
        """The error for one bad field, with that field named in `errors`."""
        return cls(message, {field: [message]})


class NotFound(DomainError):
    """No such object, or one the caller may not see."""


class Forbidden(DomainError):
    """Authenticated, but not allowed (not the owner, not an admin, deactivated)."""


class Invalid(DomainError):
    """Input breaks a rule: validation failed, missing parameter, bad cursor."""


class Conflict(DomainError):
    """The request clashes with existing state (a username or email taken)."""


class TooLarge(DomainError):
    """An upload is larger than allowed."""


class Unauthenticated(DomainError):
    """No valid credentials came with the request."""


class RateLimited(DomainError):
    """Too many requests of one kind in a window."""

    def __init__(self, message: str, *, retry_after: int, limit: int, reset: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.limit = limit
        self.reset = reset


class Unavailable(DomainError):
    """A backend is down and the request cannot be served; adapters raise it."""
