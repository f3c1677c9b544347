"""In-memory adapters of the account ports: users, sessions, password hashing, tokens,
login throttle.

The hasher and the token issuer are fast fakes for tests and demos: they are
correct (salted, signed, constant-time comparisons) but not hardened. Never use
them in production: ``moviecore.security`` has the bcrypt and JWT ones (the
``security`` extra).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from uuid import UUID

from moviecore import InvalidToken, SignedIn, TokenExpired, Tokens, User, UsernameTaken
from moviecore.ports import AlreadyStored, AttemptWindow, LoginRule, Session


class MemoryUserRepository:
    """A UserRepository in a dict; usernames are unique after casefolding."""

    def __init__(self) -> None:
        self._by_id: dict[UUID, User] = {}
        self._id_by_key: dict[str, UUID] = {}

    async def add(self, user: User) -> None:
        """Store a new user; raise UsernameTaken if the casefolded name exists."""
        key = user.username.casefold()
        if key in self._id_by_key:
            raise UsernameTaken(f"username {user.username!r} is taken")
        if user.id in self._by_id:
            raise AlreadyStored(f"a user with id {user.id} is already stored")
        # User is frozen and holds only immutable values, so storing it is storing a copy.
        self._by_id[user.id] = user
        self._id_by_key[key] = user.id

    async def by_username(self, username: str) -> User | None:
        """The user whose username matches after casefolding, if any."""
        user_id = self._id_by_key.get(username.casefold())
        return None if user_id is None else self._by_id[user_id]

    async def by_id(self, user_id: UUID) -> User | None:
        """The user with this id, if any."""
        return self._by_id.get(user_id)

    async def change_password(self, user_id: UUID, password_hash: str) -> bool:
        """Store a new password hash; False if there is no such user."""
        user = self._by_id.get(user_id)
        if user is not None:
            self._by_id[user_id] = replace(user, password_hash=password_hash)
        return user is not None

    async def set_operator(self, username: str, operator: bool) -> User | None:
        """Grant or take back the operator role; the user as stored now, or None."""
        user = await self.by_username(username)
        if user is not None:
            user = self._by_id[user.id] = replace(user, operator=operator)
        return user

    async def remove(self, user_id: UUID) -> bool:
        """Erase the user; its username is free again. (Its collections and sessions live
        in adapters of their own, which the delete_account use case empties first.)"""
        user = self._by_id.pop(user_id, None)
        if user is not None:
            del self._id_by_key[user.username.casefold()]
        return user is not None


class MemorySessionStore:
    """A SessionStore in a dict, in the order sessions started.

    Starting a session forgets those whose refresh token has expired (by ``clock``,
    Unix seconds), and past ``max_sessions`` the oldest: a table of bounded size.
    """

    def __init__(
        self, *, clock: Callable[[], float] = time.time, max_sessions: int = 100_000
    ) -> None:
        if max_sessions < 1:
            raise ValueError("max_sessions must be 1 or more")
        self._clock = clock
        self._max_sessions = max_sessions
        self._sessions: dict[UUID, Session] = {}

    async def start(self, session: Session) -> None:
        """Store a new session, forgetting expired ones (and the oldest when full)."""
        if session.id in self._sessions:
            raise AlreadyStored(f"a session with id {session.id} is already stored")
        now = self._clock()
        for old in list(self._sessions.values()):
            if old.expires_at > now and len(self._sessions) < self._max_sessions:
                break
            del self._sessions[old.id]
        self._sessions[session.id] = session

    async def find(self, session_id: UUID) -> Session | None:
        """The session with this id, if it has not ended."""
        return self._sessions.get(session_id)

    async def rotate(self, session: Session) -> bool:
        """Store the next generation of a stored session (no await in between: atomic)."""
        stored = self._sessions.get(session.id)
        if stored is None or stored.generation != session.generation - 1:
            return False
        self._sessions[session.id] = session
        return True

    async def end(self, session_id: UUID) -> bool:
        """End the session; False if it had ended already."""
        return self._sessions.pop(session_id, None) is not None

    async def end_all(self, user: UUID, *, keep: UUID | None = None) -> None:
        """End every session of ``user`` but ``keep``."""
        for ended in [s.id for s in self._sessions.values() if s.user == user and s.id != keep]:
            del self._sessions[ended]


def _sha256(salt: str, password: str) -> str:
    data = f"{salt}${password}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()


class FastPasswordHasher:
    """A salted SHA-256 PasswordHasher: fast on purpose, so NOT for production passwords."""

    _SCHEME = "fake-sha256"

    async def hash(self, password: str) -> str:
        """A salted hash of ``password``, as ``fake-sha256$<salt>$<digest>``."""
        salt = secrets.token_hex(16)
        return f"{self._SCHEME}${salt}${_sha256(salt, password)}"

    async def verify(self, password: str, password_hash: str) -> bool:
        """Whether ``password`` matches ``password_hash``; a malformed hash matches nothing."""
        scheme, _, rest = password_hash.partition("$")
        salt, _, digest = rest.partition("$")
        if scheme != self._SCHEME or not salt or not digest:
            return False
        return hmac.compare_digest(_sha256(salt, password), digest)


class FakeTokenIssuer:
    """A TokenIssuer of ``<kind>.<user>.<session>.<generation>.<expiry>.<hmac-sha256>``
    tokens, timed by ``clock`` (Unix seconds); NOT for production."""

    def __init__(
        self,
        secret: bytes | None = None,
        *,
        access_lifetime: timedelta = timedelta(minutes=15),
        refresh_lifetime: timedelta = timedelta(days=14),
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._secret = secrets.token_bytes(32) if secret is None else secret
        self._access_seconds = int(access_lifetime.total_seconds())
        self._refresh_seconds = refresh_lifetime.total_seconds()
        self._clock = clock

    def refresh_expiry(self) -> float:
        """When a refresh token issued now would expire."""
        return self._clock() + self._refresh_seconds

    def issue(self, session: Session) -> Tokens:
        """An access token of ``session`` and its refresh token, signed with this secret."""
        access_expiry = self._clock() + self._access_seconds
        return Tokens(
            access_token=self._sign("access", session, access_expiry),
            refresh_token=self._sign("refresh", session, session.expires_at),
            expires_in=self._access_seconds,
        )

    def verify(self, token: str) -> SignedIn:
        """Who an access token of this issuer speaks for; raise InvalidToken otherwise."""
        session = self._read("access", token)
        return SignedIn(user=session.user, session=session.id)

    def verify_refresh(self, token: str) -> Session:
        """The session a refresh token of this issuer names; raise InvalidToken otherwise."""
        return self._read("refresh", token)

    def _sign(self, kind: str, session: Session, expiry: float) -> str:
        body = f"{kind}.{session.user}.{session.id}.{session.generation}.{expiry!r}"
        return f"{body}.{self._signature(body)}"

    def _signature(self, body: str) -> str:
        return hmac.new(self._secret, body.encode("ascii"), hashlib.sha256).hexdigest()

    def _read(self, kind: str, token: str) -> Session:
        body, dot, signature = token.rpartition(".")
        if not (dot and body.isascii() and signature.isascii()):
            raise InvalidToken("malformed token")
        if not hmac.compare_digest(self._signature(body), signature):
            raise InvalidToken("bad token signature")
        # Only this issuer signs, and it signs only what _sign wrote: this cannot fail.
        found, user, session, generation, expiry = body.split(".", 4)
        if found != kind:
            raise InvalidToken(
                f"not an {kind} token" if kind == "access" else "not a refresh token"
            )
        if float(expiry) <= self._clock():
            raise TokenExpired(f"the {kind} token has expired")
        return Session(
            id=UUID(session), user=UUID(user), generation=int(generation), expires_at=float(expiry)
        )


class MemoryLoginThrottle:
    """A LoginThrottle keeping the windows of a LoginRule (5 attempts per address and
    username, 20 per address, in 60 s by default) in a dict.

    It remembers at most ``max_keys`` windows: those that are over are forgotten as
    new keys come, and past ``max_keys`` the oldest window goes first, so a flood of
    names costs a bounded table (10,000 keys of at most 200 characters by default,
    a few MB), at the price of forgetting the oldest attempts early.
    """

    def __init__(
        self,
        rule: LoginRule | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 10_000,
    ) -> None:
        if max_keys < 2:
            raise ValueError("max_keys must be 2 or more: an attempt counts in two windows")
        self._rule = rule or LoginRule()
        self._clock = clock
        self._max_keys = max_keys
        # key -> its window, oldest window first: a window starts with an insertion,
        # and later attempts update it in place. An address's key is the address alone.
        self._windows: dict[tuple[str, ...], AttemptWindow] = {}

    async def attempt(self, address: str, username: str) -> None:
        """Count one attempt of ``username`` from ``address``, or raise TooManyAttempts."""
        now = self._clock()
        keys = ((address, username), (address,))
        counted = self._rule.count(now, *(self._windows.get(key) for key in keys))
        for key, window in zip(keys, counted, strict=True):
            if window.attempts == 1:  # a new window goes last
                self._windows.pop(key, None)
                self._make_room(now)
            self._windows[key] = window

    async def succeeded(self, address: str, username: str) -> None:
        """Forget the attempts of ``username`` from ``address``; give the address one back."""
        self._windows.pop((address, username), None)
        window = self._rule.given_back(self._windows.get((address,)), self._clock())
        if window is not None:
            self._windows[(address,)] = window

    def _make_room(self, now: float) -> None:
        """Forget windows that are over, then the oldest while the table is full."""
        while self._windows:
            oldest, window = next(iter(self._windows.items()))
            if self._rule.current(window, now) and len(self._windows) < self._max_keys:
                return
            del self._windows[oldest]
