"""Use cases of sessions: authenticate a request, refresh, sign out, change the password,
delete the account, say who is signed in, and require the operator role.

A session starts at login (or registration) and ends at logout, at a password
change (every other session of the user), when its account is deleted, or when a
spent refresh token comes back (reuse: the tokens may have been stolen, so the
session that issued them is ended).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from uuid import UUID

from ._accounts import confirm_password
from ._entities import SignedIn, Tokens, User
from ._errors import NotAllowed, RefreshTokenReused, SessionRevoked
from ._limits import DEFAULT_LIMITS, Limits
from ._ports import (
    CollectionRepository,
    LoginThrottle,
    PasswordHasher,
    SessionStore,
    TokenIssuer,
    UserRepository,
)
from ._validate import check_new_password


async def authenticate(token: str, *, tokens: TokenIssuer, sessions: SessionStore) -> SignedIn:
    """Who a valid access token of a session that has not ended speaks for.

    Raises:
        InvalidToken: the token is malformed or forged; TokenExpired: its time is up;
            SessionRevoked: its session has ended.
        StorageUnavailable: the session store cannot be reached.
    """
    signed_in = tokens.verify(token)
    session = await sessions.find(signed_in.session)
    if session is None or session.user != signed_in.user:
        raise SessionRevoked("the session of this token has ended; sign in again")
    return signed_in


async def refresh(refresh_token: str, *, tokens: TokenIssuer, sessions: SessionStore) -> Tokens:
    """Exchange a refresh token for a new pair; the one presented is spent (rotation).

    Of two refreshes with one token, at most one gets a new pair: the other counts as
    a reuse, which ends the session, so a client must never refresh twice at once.

    Raises:
        InvalidToken, TokenExpired: as for an access token.
        RefreshTokenReused: the token was spent already; the session is ended now.
        SessionRevoked: the session had ended.
        StorageUnavailable: the session store cannot be reached.
    """
    presented = tokens.verify_refresh(refresh_token)
    renewed = replace(
        presented, generation=presented.generation + 1, expires_at=tokens.refresh_expiry()
    )
    if await sessions.rotate(renewed):
        return tokens.issue(renewed)
    if await sessions.end(presented.id):
        raise RefreshTokenReused(
            "this refresh token was used already, so its session is ended; sign in again"
        )
    raise SessionRevoked("the session of this refresh token has ended; sign in again")


async def logout(signed_in: SignedIn, *, sessions: SessionStore, everywhere: bool = False) -> None:
    """End the caller's session, or with ``everywhere`` every session of the caller.

    Raises:
        StorageUnavailable: the session store cannot be reached.
    """
    if everywhere:
        await sessions.end_all(signed_in.user)
    else:
        await sessions.end(signed_in.session)


async def whoami(user_id: UUID, *, users: UserRepository) -> User:
    """The signed-in user's account.

    Raises:
        SessionRevoked: the account is gone (deleted since the token was checked).
        StorageUnavailable: the user repository cannot be reached.
    """
    user = await users.by_id(user_id)
    if user is None:
        raise SessionRevoked("the account of this token is deleted")
    return user


async def change_password(
    signed_in: SignedIn,
    current_password: str,
    new_password: str,
    *,
    address: str,
    users: UserRepository,
    hasher: PasswordHasher,
    sessions: SessionStore,
    throttle: LoginThrottle,
    limits: Limits | None = None,
) -> None:
    """Replace the caller's password, and end every other session of the caller. A wrong
    ``current_password`` counts as a failed login from ``address``, the client's.

    Raises:
        ValidationError: the new password breaks the limits (``new_password``).
        WrongPassword: ``current_password`` is not the caller's password.
        TooManyAttempts: wrong passwords came too often lately for this username.
        SessionRevoked: the account is gone.
        StorageUnavailable: a store cannot be reached.
    """
    limits = limits or DEFAULT_LIMITS
    check_new_password(new_password, limits)
    user = await whoami(signed_in.user, users=users)
    await confirm_password(
        user, current_password, address=address, hasher=hasher, throttle=throttle, limits=limits
    )
    if not await users.change_password(user.id, await hasher.hash(new_password)):
        raise SessionRevoked("the account of this token is deleted")
    # After the new hash is stored, so that a login checking the old one meanwhile fails.
    await sessions.end_all(user.id, keep=signed_in.session)


async def delete_account(
    signed_in: SignedIn,
    password: str,
    *,
    address: str,
    users: UserRepository,
    collections: CollectionRepository,
    hasher: PasswordHasher,
    sessions: SessionStore,
    throttle: LoginThrottle,
    limits: Limits | None = None,
) -> None:
    """Erase the caller's account: its sessions, its collections, then the account itself,
    whose username is then free. No other user's collections or counts change. A wrong
    ``password`` counts as a failed login from ``address``, the client's.

    Each step can be run again: should one fail, deleting again finishes the job.

    Raises:
        WrongPassword: ``password`` is not the caller's password.
        TooManyAttempts: wrong passwords came too often lately for this username.
        SessionRevoked: the account is gone already.
        StorageUnavailable: a store cannot be reached.
    """
    user = await whoami(signed_in.user, users=users)
    await confirm_password(
        user, password, address=address, hasher=hasher, throttle=throttle, limits=limits
    )
    await sessions.end_all(user.id)
    await collections.remove_all(user.id)
    await users.remove(user.id)


async def require_operator(
    user_id: UUID, *, users: UserRepository, operators: Collection[str] = ()
) -> None:
    """Return if the user holds the operator role: granted in the user store, or named
    among ``operators`` (usernames, compared case-insensitively).

    Raises:
        NotAllowed: the user is not an operator.
        SessionRevoked: the account is gone.
        StorageUnavailable: the user repository cannot be reached.
    """
    user = await whoami(user_id, users=users)
    named = {name.casefold() for name in operators}
    if not (user.operator or user.username.casefold() in named):
        raise NotAllowed("only an operator may do this")
