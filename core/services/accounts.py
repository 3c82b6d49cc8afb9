"""Accounts: sign-up, login, logout, token authentication and administration."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from weakref import WeakKeyDictionary

from core.domain import ids as id_layout
from core.domain.errors import Forbidden, Invalid, NotFound, Unauthenticated
from core.domain.paging import Page, Window, map_page, newest_first_page
from core.domain.users import (
    Profile,
    User,
    check_password,
    normalize_email,
    normalize_username,
)
from core.ports.clock import Clock
from core.ports.id_generator import IdGenerator
from core.ports.password_hasher import PasswordHasher
from core.ports.unit_of_work import UnitOfWork
from core.services.lookups import Lookups
from core.services.views import AccountView, Session

LOGIN_MISMATCH = "username and password does not match"


def token_hash(token: str) -> str:
    """What the token store keeps of a token: its SHA-256, never the token itself."""
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


# One dummy hash per hasher (a process-wide singleton), made at its current cost on first
# need: the services themselves are made per request.
_DUMMY_HASHES: WeakKeyDictionary[PasswordHasher, str] = WeakKeyDictionary()


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random password that no one knows, for logins naming no account."""
    dummy = _DUMMY_HASHES.get(hasher)
    if dummy is None:
        dummy = _DUMMY_HASHES[hasher] = hasher.hash(secrets.token_urlsafe(32))
    return dummy


class AccountService:
    """Who may use chirp.

    - Usernames and emails are unique and case-insensitive (stored lower-case).
    - Sign-up creates the profile and logs the user in.
    - Login gives one error for an unknown user and a wrong password (no enumeration),
      and costs one password hash either way (an unknown name is checked against a dummy
      hash); a deactivated user is Forbidden, after the password check.
    - A hash made at an older cost is replaced at the next successful login.
    - Tokens are random (256 bits), stored only as a hash, expire, and die at logout or
      deactivation.
    - Only admins list users; each comes with the summary every other list shows.
    """

    def __init__(
        self,
        uow_factory: Callable[[], UnitOfWork],
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdGenerator,
        lookups: Lookups,
        token_ttl: timedelta = timedelta(days=30),
    ) -> None:
        self._uow_factory = uow_factory
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._lookups = lookups
        self._token_ttl = token_ttl

    def sign_up(self, username: str, email: str, password: str) -> Session:
        user = self._register(username, email, password, is_admin=False)
        return self._open_session(user)

    def create_admin(self, username: str, email: str, password: str) -> User:
        return self._register(username, email, password, is_admin=True)

    def _register(self, username: str, email: str, password: str, *, is_admin: bool) -> User:
        name, mail = normalize_username(username), normalize_email(email)
        hashed = self._hasher.hash(check_password(password))
        user_id = self._ids.next_id()
        now = id_layout.time_of(user_id)
        user = User(
            id=user_id,
            username=name,
            email=mail,
            password_hash=hashed,
            is_admin=is_admin,
            created_at=now,
        )
        with self._uow_factory() as uow:
            uow.users.add(user)
            uow.profiles.add(Profile(user_id=user_id, created_at=now, updated_at=now))
            uow.commit()
        return user

    def log_in(self, username: str, password: str) -> Session:
        if not isinstance(username, str) or not isinstance(password, str):
            raise Invalid(LOGIN_MISMATCH)
        with self._uow_factory() as uow:
            user = uow.users.get_by_username(username.strip().lower())
        # An unknown name costs the same hash as a known one: no enumeration by timing.
        stored = user.password_hash if user is not None else _dummy_hash(self._hasher)
        if not self._hasher.verify(password, stored) or user is None:
            raise Invalid(LOGIN_MISMATCH)
        if not user.is_active:
            raise Forbidden("this account is deactivated")
        if self._hasher.needs_rehash(user.password_hash):
            self._rehash(user, password)
        return self._open_session(user)

    def _rehash(self, user: User, password: str) -> None:
        """Store the password at the current cost; the only moment the plain text is known.
        Two logins at once may both re-hash: each hash is valid, so either write may win."""
        user.password_hash = self._hasher.hash(password)
        with self._uow_factory() as uow:
            uow.users.set_password_hash(user.id, user.password_hash)
            uow.commit()

    def _open_session(self, user: User) -> Session:
        token = secrets.token_urlsafe(32)
        with self._uow_factory() as uow:
            uow.tokens.add(token_hash(token), user.id, self._clock.now() + self._token_ttl)
            uow.commit()
        return Session(user=user, token=token)

    def log_out(self, token: str) -> None:
        with self._uow_factory() as uow:
            uow.tokens.remove(token_hash(token))
            uow.commit()

    def purge_expired_tokens(self) -> int:
        """Forget every expired token (they no longer authenticate anyway); how many went."""
        with self._uow_factory() as uow:
            purged = uow.tokens.purge_expired(self._clock.now())
            uow.commit()
        return purged

    def authenticate(self, token: str | None) -> User:
        """The active user a token belongs to; Unauthenticated otherwise."""
        if not token:
            raise Unauthenticated("authentication credentials were not provided")
        with self._uow_factory() as uow:
            user_id = uow.tokens.user_for(token_hash(token), self._clock.now())
            user = uow.users.get(user_id) if user_id is not None else None
        if user is None or not user.is_active:
            raise Unauthenticated("invalid or expired token")
        return user

    def list_users(self, actor: User, window: Window) -> Page[AccountView]:
        """Every account, newest first, with its nickname and avatar (for admins only)."""
        if not actor.is_admin:
            raise Forbidden("only admins may list users")
        page = self.all_users(window)
        summaries = self._lookups.summaries(u.id for u in page.results)
        views = [
            AccountView(user=u, summary=summaries.get(u.id) or self._lookups.summary_of(u, None))
            for u in page.results
        ]
        return map_page(page, views)

    def all_users(self, window: Window) -> Page[User]:
        """Users for an operator at the console (no actor: the CLI is trusted)."""
        with self._uow_factory() as uow:
            users = uow.users.list_all(window)
        return newest_first_page(window, users, key=lambda u: u.id)

    def deactivate(self, username: str) -> User:
        with self._uow_factory() as uow:
            user = uow.users.get_by_username(username.strip().lower())
            if user is None:
                raise NotFound(f"no user named {username}")
            user.deactivate()
            uow.users.update(user)
            uow.tokens.remove_all_for(user.id)
            uow.commit()
        self._lookups.forget_users([user.id])
        return user
