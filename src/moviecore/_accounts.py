"""Use cases of accounts: register, log in, and authenticate a token."""

from __future__ import annotations

from uuid import UUID, uuid4

from ._entities import User
from ._errors import InvalidCredentials, InvalidToken
from ._limits import DEFAULT_LIMITS, Limits
from ._ports import LoginThrottle, PasswordHasher, TokenIssuer, UserRepository
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


async def register(
    username: str,
    password: str,
    *,
    users: UserRepository,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    limits: Limits | None = None,
) -> str:
    """Create an account and return an access token for it.

    ``register_user`` does the same and returns the new ``User`` instead.

    Raises:
        ValidationError, UsernameTaken, StorageUnavailable: as ``register_user`` does.
    """
    user = await register_user(username, password, users=users, hasher=hasher, limits=limits)
    return tokens.issue(user.id)


async def login(
    username: str,
    password: str,
    *,
    address: str,
    users: UserRepository,
    hasher: PasswordHasher,
    tokens: TokenIssuer,
    throttle: LoginThrottle,
    limits: Limits | None = None,
) -> str:
    """Return a fresh access token if the username and password match.

    ``address`` is the client's (its IPv6 /64 network counts as one): failures are
    throttled per address and username and per address, so that guessing from one
    address locks nobody out of another.

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
        return tokens.issue(user.id)
    raise InvalidCredentials(_WRONG)


async def authenticate(token: str, *, tokens: TokenIssuer, users: UserRepository) -> UUID:
    """The id of the existing user a valid access token names.

    Raises:
        InvalidToken: the token is malformed, expired, forged or names no user.
        StorageUnavailable: the user repository cannot be reached.
    """
    user_id = tokens.verify(token)
    if await users.by_id(user_id) is None:
        raise InvalidToken("the token's user does not exist")
    return user_id
