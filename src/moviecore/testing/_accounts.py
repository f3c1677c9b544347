"""In-memory adapters of the account ports: users, password hashing, tokens, login throttle.

The hasher and the token issuer are fast fakes for tests and demos: they are
correct (salted, signed, constant-time comparisons) but not hardened. Never use
them in production; the service uses bcrypt and JWT adapters instead.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from uuid import UUID

from moviecore import (
    AlreadyStored,
    AttemptWindow,
    InvalidToken,
    LoginRule,
    User,
    UsernameTaken,
)


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
    """A TokenIssuer of ``<uuid>.<hmac-sha256>`` tokens that never expire; NOT for production."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secrets.token_bytes(32) if secret is None else secret

    def _signature(self, subject: str) -> str:
        return hmac.new(self._secret, subject.encode("ascii"), hashlib.sha256).hexdigest()

    def issue(self, user_id: UUID) -> str:
        """A token naming ``user_id``, signed with this issuer's secret."""
        subject = str(user_id)
        return f"{subject}.{self._signature(subject)}"

    def verify(self, token: str) -> UUID:
        """The user id a token of this issuer names; raise InvalidToken otherwise."""
        subject, dot, signature = token.partition(".")
        if not (dot and subject.isascii() and signature.isascii()):
            raise InvalidToken("malformed token")
        if not hmac.compare_digest(self._signature(subject), signature):
            raise InvalidToken("bad token signature")
        return UUID(subject)  # cannot fail: only this issuer signs, and it signs canonical uuids


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
