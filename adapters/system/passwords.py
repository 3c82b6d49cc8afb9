"""Password hashers: scrypt for real use, a fast salted sha256 for tests only."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from core.ports.password_hasher import PasswordHasher

SALT_BYTES = 16
KEY_BYTES = 32
# OWASP's password storage cheat sheet: scrypt with N=2**17, r=8, p=1.
OWASP_N = 2**17


class ScryptPasswordHasher(PasswordHasher):
    """`hashlib.scrypt` with a random 16-byte salt; stored as `scrypt$n$r$p$salt$hash`
    (base64). The default cost is OWASP's (N=2**17, r=8, p=1: 128 MiB and tens of ms per
    hash). Verification reads the cost from the stored string, so hashes made at another
    cost stay valid, and `needs_rehash` says which to replace at the next login."""

    def __init__(self, n: int = OWASP_N, r: int = 8, p: int = 1) -> None:
        if n < 2 or n & (n - 1):
            raise ValueError("n must be a power of two above 1")
        if r < 1 or p < 1:
            raise ValueError("r and p must be 1 or more")
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
        except (ValueError, OverflowError, MemoryError):  # malformed or impossible parameters
            return False
        return hmac.compare_digest(actual, expected)

    def needs_rehash(self, hashed: str) -> bool:
        scheme, _, rest = hashed.partition("$")
        return scheme != "scrypt" or rest.split("$")[:3] != [
            str(self._n),
            str(self._r),
            str(self._p),
        ]


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

    def needs_rehash(self, hashed: str) -> bool:
        return not hashed.startswith("sha256$")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # OpenSSL refuses above its default 32 MiB unless told: allow what the cost needs
    # (128*N*r bytes for V, 128*r*p for B, plus slack), 129 MiB at OWASP's cost.
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(
        password.encode(), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=KEY_BYTES
    )


def _sha256(salt: str, password: str) -> str:
    return hashlib.sha256(f"{salt}:{password}".encode()).hexdigest()


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")
