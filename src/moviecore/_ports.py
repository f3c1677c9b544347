"""The ports: what the core needs from the outside world, as typing.Protocols.

Adapters satisfy them structurally; each is runtime_checkable, so ``isinstance``
tells whether an object has a port's methods (not whether their signatures fit:
mypy checks those). Every method that may touch I/O is async;
token handling is plain computation and stays synchronous.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable
from uuid import UUID

from ._entities import (
    CatalogPage,
    Collection,
    CollectionEdit,
    CollectionSlice,
    Movie,
    Session,
    SignedIn,
    SyncMark,
    Tokens,
    User,
)
from ._search import MovieQuery


@runtime_checkable
class UserRepository(Protocol):
    """Accounts, looked up by id or by username (case-insensitively)."""

    async def add(self, user: User) -> None:
        """Store a new user.

        Raise UsernameTaken if the casefolded name exists, AlreadyStored if the id does.
        """

    async def by_username(self, username: str) -> User | None:
        """The user whose username matches after casefolding, if any.

        A name no user can have (a NUL character, any length) finds nothing.
        """

    async def by_id(self, user_id: UUID) -> User | None:
        """The user with this id, if any."""

    async def change_password(self, user_id: UUID, password_hash: str) -> bool:
        """Store a new password hash for the user; False if there is no such user."""

    async def set_operator(self, username: str, operator: bool) -> User | None:
        """Grant (True) or take back (False) the operator role of the user with this
        username, found as ``by_username`` finds it; the user as stored now, or None."""

    async def remove(self, user_id: UUID) -> bool:
        """Erase the user, and with it whatever it owns in this store, in one transaction;
        its username is free again. False if there was no such user."""


@runtime_checkable
class CollectionRepository(Protocol):
    """Collections, always scoped by owner; another owner's are invisible.

    Text comes back exactly as stored: no trimming, no truncation, no normalisation.
    """

    async def add(self, collection: Collection) -> None:
        """Store a new collection, atomically with its movies.

        Raise AlreadyStored if its uuid is stored, for any owner.
        """

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """A slice of the owner's collections, newest first, with their count and genre
        counts, all read at one moment: one page of a listing is one read.

        With ``movie``, the slice and the count are of the collections holding that
        movie only; the genre counts are always of all the owner's collections.
        """

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        edit: CollectionEdit,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        """Apply ``edit`` atomically, through ``apply_changes``, and return what was stored.

        The read, the check and the write are one unit: concurrent edits of one
        collection each see the other's changes. None if the owner has no such
        collection; VersionMismatch, changing nothing, if ``expected_version`` is given
        and is not the stored version; whatever ``apply_changes`` raises, changing nothing.
        """

    async def remove(self, owner: UUID, uuid: UUID, *, expected_version: int | None = None) -> bool:
        """Delete the owner's collection; False if it does not exist.

        VersionMismatch, deleting nothing, if ``expected_version`` is not the stored version.
        """

    async def remove_all(self, owner: UUID) -> None:
        """Delete every collection of the owner, and its genre counts, in one transaction."""


@runtime_checkable
class Catalog(Protocol):
    """The browsable movie catalog; raises CatalogUnavailable when it cannot answer."""

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page past the end."""


@runtime_checkable
class SearchableCatalog(Catalog, Protocol):
    """A catalog that can also be searched: the catalog port of a running service."""

    async def search(self, query: MovieQuery, number: int) -> CatalogPage:
        """Page ``number`` (from 1) of the movies ``query`` matches, best first.

        A movie matches when each word of the query begins a word of its title or its
        description (compared as ``MovieKeys`` holds them), and is of the query's genre
        if it names one. First come the exact title, then titles starting with the query,
        then titles holding every word, then the rest; ties keep catalog order.
        ``count`` is the number of matches; an empty page past the end. Raise
        CatalogNotSynced if the catalog to search is not there yet.
        """

    async def movie(self, uuid: UUID) -> Movie | None:
        """The movie with this uuid, if the catalog has it.

        Raise CatalogNotSynced if the catalog to look in is not there yet.
        """


@runtime_checkable
class RequestCounter(Protocol):
    """A count of every request the service answered, shared by all workers."""

    async def add(self, n: int = 1) -> None:
        """Count ``n`` more requests."""

    async def read(self) -> int:
        """The count since the last reset."""

    async def reset(self) -> None:
        """Start again from zero."""


@runtime_checkable
class PasswordHasher(Protocol):
    """Slow, salted password hashing; kept off the event loop by the adapter."""

    async def hash(self, password: str) -> str:
        """A salted hash of ``password``."""

    async def verify(self, password: str, password_hash: str) -> bool:
        """Whether ``password`` matches ``password_hash``."""


@runtime_checkable
class TokenIssuer(Protocol):
    """Signed tokens of a session: short-lived access tokens, and refresh tokens that
    name the session's generation."""

    def refresh_expiry(self) -> float:
        """When (Unix seconds) a refresh token issued now would expire."""

    def issue(self, session: Session) -> Tokens:
        """A fresh access token of ``session``, and its refresh token for the session's
        generation, expiring at ``session.expires_at``."""

    def verify(self, token: str) -> SignedIn:
        """Who a valid access token speaks for.

        Raise TokenExpired if its time is up, InvalidToken for anything else (a refresh
        token included).
        """

    def verify_refresh(self, token: str) -> Session:
        """The session, at the generation it was issued for, that a valid refresh token
        names; raise TokenExpired or InvalidToken (an access token included) otherwise."""


@runtime_checkable
class SessionStore(Protocol):
    """The sessions that have not ended, shared by every worker of the service.

    A session ended is forgotten: its id is never used again, so "not found" is final.
    """

    async def start(self, session: Session) -> None:
        """Store a new session."""

    async def find(self, session_id: UUID) -> Session | None:
        """The session with this id, if it has not ended."""

    async def rotate(self, session: Session) -> bool:
        """Store ``session`` as the next generation of the stored one, atomically: only if
        the stored session is at ``session.generation - 1``. Of two rotations to the same
        generation, at most one succeeds. False if nothing was stored."""

    async def end(self, session_id: UUID) -> bool:
        """End the session; False if it had ended already (or never was)."""

    async def end_all(self, user: UUID, *, keep: UUID | None = None) -> None:
        """End every session of ``user`` but ``keep``."""


@runtime_checkable
class LoginThrottle(Protocol):
    """Counts login attempts per client address and username, and per client address,
    so that password guessing and spraying are slowed down, by the rule of a LoginRule.

    An attempt is counted when it starts, before the password is checked, and a
    success forgets the username's: attempts made at the same moment each use up a
    try, so sending them in parallel gains a guesser nothing. Only the address that
    failed is slowed: the same username from another address still gets its tries.
    """

    async def attempt(self, address: str, username: str) -> None:
        """Count one attempt of ``username`` from ``address``; raise TooManyAttempts,
        counting nothing, if either has used up its tries."""

    async def succeeded(self, address: str, username: str) -> None:
        """Forget the attempts of ``username`` from ``address``, and give the address
        back the one try that succeeded."""


@dataclass(frozen=True, slots=True)
class Ports:
    """Every port a running service needs, wired once by the composition root."""

    users: UserRepository
    collections: CollectionRepository
    catalog: SearchableCatalog
    counter: RequestCounter
    hasher: PasswordHasher
    tokens: TokenIssuer
    throttle: LoginThrottle
    sessions: SessionStore


@runtime_checkable
class MovieStore(SearchableCatalog, Protocol):
    """A catalog the service keeps itself, filled by import or by sync."""

    async def put(self, movies: Sequence[Movie]) -> None:
        """Insert movies, or replace those whose uuid is already stored, in one transaction.

        A new movie goes after every stored one; a replaced one keeps its place.
        """

    async def count(self) -> int:
        """How many movies are stored."""


@runtime_checkable
class SyncCursor(Protocol):
    """Where each source's sync stopped, kept by the database the movies go to."""

    async def read(self, source: str) -> SyncMark | None:
        """The mark of ``source``; None if it was never synced."""

    async def write(self, source: str, mark: SyncMark) -> None:
        """Record ``mark`` as where the sync of ``source`` stands now, replacing the last."""
