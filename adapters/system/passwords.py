"""Password hashers: scrypt for real use, a fast salted sha256 for tests only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from core.ports.password_hasher import PasswordHasher

SALT_BYTES = 16
KEY_BYTES = 32


class ScryptPasswordHasher(PasswordHasher):
    """`hashlib.scrypt` with a random 16-byte salt; stored as `scrypt$n$r$p$salt$hash`
    (base64). Verification reads the cost from the stored string, so raising the cost later
    keeps old hashes valid."""

    def __init__(self, n: int = 2**14, r: int = 8, p: int = 1) -> None:
        if n < 2 or n & (n - 1):
            raise ValueError("n must be a power of two above 1")
        self._n, self._r, self._p = n, r, p

    def hash(self, password: str) -> str:
        salt = secrets.token_bytes(SALT_BYTES)
        digest = _scrypt(password, salt, self._n, self._r, self._p)
        return f"scrypt${self._n}${self._r}${self._p}${_b64(salt)}${_b64(digest)}"

    def verify(self, password: str, hashed: str) -> bool:
        try:
            scheme, n, r, p, salt, digest = hashed.split("$")
            if scheme != "scrypt":
                return False
            expected = base64.b64decode(digest, validate=True)
            actual = _scrypt(
                password, base64.b64decode(salt, validate=True), int(n), int(r), int(p)
            )
        except (ValueError, OverflowError):  # malformed string or impossible parameters
            return False
        return hmac.compare_digest(actual, expected)


class FastPasswordHasher(PasswordHasher):
    """Salted single sha256: ONLY for the memory profile and tests, where scrypt's deliberate
    slowness would dominate run time. Never use it for real accounts."""

    def hash(self, password: str) -> str:
        salt = secrets.token_hex(SALT_BYTES)
        return f"sha256${salt}${_sha256(salt, password)}"

    def verify(self, password: str, hashed: str) -> bool:
        scheme, _, rest = hashed.partition("$")
        salt, _, digest = rest.partition("$")
        if scheme != "sha256" or not salt or not digest:
            return False
        return hmac.compare_digest(_sha256(salt, password), digest)


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL refuses above its default 32 MiB unless told; allow what the cost needs.
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=KEY_BYTES
    )


def _sha256(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
