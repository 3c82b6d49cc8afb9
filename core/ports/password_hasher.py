"""PasswordHasher port: slow salted password hashing."""

from __future__ import annotations

from abc import abstractmethod
from typing import Protocol


class PasswordHasher(Protocol):
    """Hashes passwords with a per-password salt; the plain password is never stored."""

    @abstractmethod
    def hash(self, password: str) -> str:
        """A self-describing hash string (algorithm, salt and digest)."""

    @abstractmethod
    def verify(self, password: str, hashed: str) -> bool:
        """Whether `password` matches `hashed`, in time independent of where they differ."""

    @abstractmethod
    def needs_rehash(self, hashed: str) -> bool:
        """Whether `hashed` was made otherwise than `hash` would make it now (another
        algorithm or older cost parameters), so the next successful login should replace it."""
