"""Use cases of accounts: register, log in, and confirm one's own password.

The names say what comes back: ``register_user`` and ``login_user`` the ``User``,
``register_for_tokens`` and ``login_for_tokens`` the ``Tokens`` of a new session.
"""

from __future__ import annotations

from uuid import uuid4

from ._entities import Session, Tokens, User
from ._errors import InvalidCredentials, WrongPassword
from ._limits import DEFAULT_LIMITS, Limits
from ._ports import LoginThrottle, PasswordHasher, SessionStore, TokenIssuer, UserRepository
from ._throttle import throttled_address
from ._validate import check_credentials, password_fits, username_fits

_WRONG = "wrong username or password"


def _stand_in(limits: Limits) -> str:
    """Hashed in place of a password no account can have, so that refusing it takes as long."""
    return "x" * limits.password_min_bytes


async def register_user(
    username: str,
    password: str,
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    limits: Limits | None = None,
) -> User:
    """Create an account and return it, its id included.

    Raises:
        ValidationError: the username or the password breaks the limits.
        UsernameTaken: another account has this username, compared case-insensitively.
        StorageUnavailable: the user repository cannot be reached.
    """
    check_credentials(username, password, limits or DEFAULT_LIMITS)
    user = User(id=uuid4(), username=username, password_hash=await hasher.hash(password))
    await users.add(user)
    return user


async def _start_session(user: User, *, tokens: TokenIssuer, sessions: SessionStore) -> Session:
    session = Session(id=uuid4(), user=user.id, generation=0, expires_at=tokens.refresh_expiry())
    await sessions.start(session)
    return session


async def register_for_tokens(
    username: str,
    password: str,
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    sessions: SessionStore,
    limits: Limits | None = None,
) -> Tokens:
    """Create an account and return the tokens of its first session.

    ``register_user`` does the same and returns the new ``User`` instead.

    Raises:
        ValidationError, UsernameTaken, StorageUnavailable: as ``register_user`` does.
    """
    user = await register_user(username, password, users=users, hasher=hasher, limits=limits)
    return tokens.issue(await _start_session(user, tokens=tokens, sessions=sessions))


async def login_user(
    username: str,
    password: str,
    *,
    address: str,
    users: UserRepository,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    limits: Limits | None = None,
) -> User:
    """The user whose username and password these are; no session is started.

    ``address`` is the client's (its IPv6 /64 network counts as one): failures are
    throttled per address and username and per address, so that guessing from one
    address locks nobody out of another.

    ``login_for_tokens`` does the same, then starts a session and returns its tokens.

    Raises:
        InvalidCredentials: no account has this username and password; never says which.
        TooManyAttempts: this username, or this address, failed too often lately; wait
            ``retry_after`` seconds.
        StorageUnavailable: the user repository cannot be reached.
    """
    limits = limits or DEFAULT_LIMITS
    # Nothing register refuses to store can match: such a login fails like an unknown
    # user's, whatever a store or bcrypt would make of a NUL or an over-long value. A name
    # no account can have is refused before any lookup and leaves no throttle key behind.
    if not username_fits(username, limits):
        await hasher.hash(_stand_in(limits))  # as slow as a wrong password
        raise InvalidCredentials(_WRONG)
    client, key = throttled_address(address), username.casefold()
    await throttle.attempt(client, key)
    fits = password_fits(password, limits)
    user = await users.by_username(username) if fits else None
    if user is None:
        # as slow as a wrong password, so timing tells nothing
        await hasher.hash(password if fits else _stand_in(limits))
    elif await hasher.verify(password, user.password_hash):
        await throttle.succeeded(client, key)
        return user
    raise InvalidCredentials(_WRONG)


async def login_for_tokens(
    username: str,
    password: str,
    *,
    address: str,
    users: UserRepository,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    throttle: LoginThrottle,
    sessions: SessionStore,
    limits: Limits | None = None,
) -> Tokens:
    """Start a new session if the username and password match; return its tokens.

    A password change that completes while the login is under way wins: the
    login then fails as a wrong password would, and starts no session.
    ``address`` is the client's, as for ``login_user``, which returns the ``User``
    instead and starts no session.

    Raises:
        InvalidCredentials, TooManyAttempts, StorageUnavailable: as ``login_user`` does.
    """
    user = await login_user(
        username,
        password,
        address=address,
        users=users,
        hasher=hasher,
        throttle=throttle,
        limits=limits,
    )
    session = await _start_session(user, tokens=tokens, sessions=sessions)
    await _unless_password_changed(user, session, users=users, sessions=sessions)
    return tokens.issue(session)


async def _unless_password_changed(
    user: User, session: Session, *, users: UserRepository, sessions: SessionStore
) -> None:
    """End the session just started if the password it was started with has changed since.

    A password change stores the new hash, then ends every other session it finds.
    It may not find one started after it looked, with the old password checked before
    the change: looking at the hash again after starting closes that gap (one read).
    """
    now = await users.by_id(user.id)
    if now is None or now.password_hash != user.password_hash:
        await sessions.end(session.id)
        raise InvalidCredentials(_WRONG)


async def confirm_password(
    user: User,
    password: str,
    *,
    address: str,
    hasher: PasswordHasher,
    throttle: LoginThrottle,
    limits: Limits | None = None,
) -> None:
    """Check that ``password`` is the user's, counting the try as a login attempt, so that
    a stolen access token cannot be used to guess the password faster than a login can.
    ``address`` is the client's, as for ``login_user``.

    Raises:
        WrongPassword: it is not the user's password.
        TooManyAttempts: this username, or this address, failed too often lately.
    """
    client, key = throttled_address(address), user.username.casefold()
    await throttle.attempt(client, key)
    fits = password_fits(password, limits or DEFAULT_LIMITS)
    if not (fits and await hasher.verify(password, user.password_hash)):
        raise WrongPassword("the password is wrong")
    await throttle.succeeded(client, key)
