"""Every error moviecore raises, under one root.

MovieCoreError
├── ValidationError       input breaks a rule; names each field
├── UsernameTaken         another account has that username
├── AlreadyStored         an id that is already stored
├── VersionMismatch       the collection changed since the version the caller named
├── CatalogNotSynced      search needs the local copy of the upstream catalog
├── InvalidCredentials    login failed; never says which part was wrong
├── WrongPassword         the password confirming an account change is wrong
├── NotAllowed            the caller lacks the role this needs
├── InvalidToken          a token that cannot be trusted; ``reason`` says why
│   ├── TokenExpired         its time is up
│   └── SessionRevoked       its session ended (signed out, password changed, account gone)
│       └── RefreshTokenReused  a spent refresh token came back: its session is ended now
├── NotFound
│   ├── CollectionNotFound   absent, or someone else's
│   ├── MovieNotInCollection the collection does not hold that movie
│   ├── MovieNotFound        the catalog has no movie with that uuid
│   └── PageNotFound         a page past the end
├── TooManyAttempts       slow down, then try again
└── Unavailable           a dependency failed; try again later
    ├── StorageUnavailable
    └── CatalogUnavailable
        └── CatalogPageUnreadable  one page cannot be read; others may be fine
"""

from __future__ import annotations

from dataclasses import dataclass


class MovieCoreError(Exception):
    """Root of every error moviecore raises on purpose."""


@dataclass(frozen=True, slots=True)
class FieldError:
    """One broken rule, with the path of the field that broke it (``movies[2].uuid``)."""

    field: str
    message: str


class ValidationError(MovieCoreError):
    """Input breaks one or more rules; ``errors`` names each field."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]) -> None:
        self.errors = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))


class UsernameTaken(MovieCoreError):
    """Another account already has this username, compared case-insensitively."""


class AlreadyStored(MovieCoreError):
    """An entity with this id is already stored; ids are never reused."""


class VersionMismatch(MovieCoreError):
    """The collection is no longer at the version the caller expected; nothing was changed."""

    def __init__(self, *, expected: int, current: int) -> None:
        self.expected = expected
        self.current = current
        super().__init__(f"expected version {expected}, the collection is at version {current}")


class CatalogNotSynced(MovieCoreError):
    """Search runs over the local copy of the upstream catalog, and nothing is copied yet."""


class InvalidCredentials(MovieCoreError):
    """The username or the password is wrong; deliberately not saying which."""


class WrongPassword(MovieCoreError):
    """The password given to confirm a change of one's own account is not its password."""


class NotAllowed(MovieCoreError):
    """The caller is signed in, but lacks the role what it asked for needs."""


class InvalidToken(MovieCoreError):
    """A token is missing, malformed, forged, expired or of an ended session.

    ``reason`` is a short code a client can switch on: ``missing``, ``malformed``
    (here), ``expired``, ``revoked`` or ``reused`` (the subclasses).
    """

    reason = "malformed"

    def __init__(self, message: str, *, reason: str | None = None) -> None:
        if reason is not None:
            self.reason = reason
        super().__init__(message)


class TokenExpired(InvalidToken):
    """The token was genuine, but its lifetime is over."""

    reason = "expired"


class SessionRevoked(InvalidToken):
    """The token's session has ended: signed out, password changed, or account deleted."""

    reason = "revoked"


class RefreshTokenReused(SessionRevoked):
    """A refresh token already exchanged was presented again: whoever holds the session's
    tokens may have stolen them, so the whole session is ended."""

    reason = "reused"


class NotFound(MovieCoreError):
    """The thing asked for does not exist for this caller."""


class CollectionNotFound(NotFound):
    """No such collection belongs to the caller."""


class MovieNotInCollection(NotFound):
    """The collection holds no movie with this uuid."""


class MovieNotFound(NotFound):
    """The catalog has no movie with this uuid."""


class PageNotFound(NotFound):
    """The page number lies past the last page."""


class TooManyAttempts(MovieCoreError):
    """Too many failed attempts; ``retry_after`` seconds must pass first."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many attempts, retry after {retry_after} s")


class Unavailable(MovieCoreError):
    """A dependency failed; the request may succeed after ``retry_after`` seconds."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class StorageUnavailable(Unavailable):
    """The database cannot be reached."""


class CatalogUnavailable(Unavailable):
    """The movie catalog cannot be reached and nothing cached can stand in."""


class CatalogPageUnreadable(CatalogUnavailable):
    """The catalog answered, but one of its pages cannot be read; other pages may be fine."""
