"""The JSON bodies of the HTTP API as msgspec Structs, and their conversion to core values.

Field names are the contract's (snake_case). Lengths are checked by the core
against the configured limits, so the Structs only pin down types (the OpenAPI
document states the limits, see ``_openapi``). Requests and answers have Structs
of their own, so that what an answer always holds is required in the document.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from urllib.parse import urlencode
from uuid import UUID

import msgspec

from moviecore import (
    CatalogPage,
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionsPage,
    FieldError,
    Limits,
    Movie,
    Tokens,
    User,
    ValidationError,
)
from moviecore.ports import CATALOG_PAGE_SIZE, check_collection


class Credentials(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A username and a password, to register or to log in."""

    username: str
    password: str


class TokenBody(msgspec.Struct, frozen=True):
    """The tokens of a session: the access token for the ``Authorization`` header, valid
    ``expires_in`` seconds, and the refresh token that renews both, once."""

    access_token: str
    token_type: str
    expires_in: int
    refresh_token: str

    @classmethod
    def of(cls, tokens: Tokens) -> TokenBody:
        """The body of a session's tokens."""
        return cls(
            access_token=tokens.access_token,
            token_type="Bearer",
            expires_in=tokens.expires_in,
            refresh_token=tokens.refresh_token,
        )


class RefreshRequest(msgspec.Struct, frozen=True):
    """A refresh token, to exchange for a new pair."""

    refresh_token: str


class PasswordChange(msgspec.Struct, frozen=True):
    """The current password, to confirm, and the new one."""

    current_password: str
    new_password: str


class AccountDeletion(msgspec.Struct, frozen=True):
    """The account's password, to confirm its deletion."""

    password: str


class Account(msgspec.Struct, frozen=True):
    """The signed-in user's account."""

    id: UUID
    username: str
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Account:
        """The body of a core user: never its password hash."""
        return cls(id=user.id, username=user.username, created_at=user.created_at)


class MovieBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A movie as a client sends it into a collection."""

    uuid: UUID
    title: str
    description: str = ""
    genres: str = ""

    def to_movie(self) -> Movie:
        """The core's movie."""
        return Movie(
            uuid=self.uuid, title=self.title, description=self.description, genres=self.genres
        )


class ServedMovie(msgspec.Struct, frozen=True):
    """A movie as the catalog lists it and as a collection keeps it: every field is sent."""

    uuid: UUID
    title: str
    description: str
    genres: str

    @classmethod
    def of(cls, movie: Movie) -> ServedMovie:
        """The body of a core movie."""
        return cls(
            uuid=movie.uuid, title=movie.title, description=movie.description, genres=movie.genres
        )


def _movies(bodies: list[MovieBody]) -> tuple[Movie, ...]:
    return tuple(body.to_movie() for body in bodies)


def _limit_errors(
    title: str | None, description: str | None, movies: tuple[Movie, ...] | None, limits: Limits
) -> list[FieldError]:
    try:
        check_collection(title, description, movies, limits)
    except ValidationError as error:
        return list(error.errors)
    return []


class NewCollection(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """What a client sends to create a collection."""

    title: str
    description: str = ""
    movies: list[MovieBody] = msgspec.field(default_factory=list)

    def limit_errors(self, limits: Limits) -> list[FieldError]:
        """Every limit the collection breaks, in the core's words."""
        return _limit_errors(self.title, self.description, _movies(self.movies), limits)

    def to_draft(self) -> CollectionDraft:
        """The core's draft."""
        return CollectionDraft(
            title=self.title, description=self.description, movies=_movies(self.movies)
        )


class CollectionUpdate(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The fields of a collection to change; an absent (or null) field stays as it is."""

    title: str | msgspec.UnsetType = msgspec.UNSET
    description: str | msgspec.UnsetType = msgspec.UNSET
    movies: list[MovieBody] | msgspec.UnsetType = msgspec.UNSET

    def limit_errors(self, limits: Limits) -> list[FieldError]:
        """Every limit the given fields break, in the core's words."""
        changes = self.to_changes()
        return _limit_errors(changes.title, changes.description, changes.movies, limits)

    def to_changes(self) -> CollectionChanges:
        """The core's changes."""
        return CollectionChanges(
            title=None if self.title is msgspec.UNSET else self.title,
            description=None if self.description is msgspec.UNSET else self.description,
            movies=None if self.movies is msgspec.UNSET else _movies(self.movies),
        )


class MoviesToAdd(msgspec.Struct, frozen=True):
    """One movie to add, its fields at the top level, or several in ``movies``; and where:
    before the movie at ``position`` (from 0), or after the last one if absent."""

    uuid: UUID | msgspec.UnsetType = msgspec.UNSET
    title: str | msgspec.UnsetType = msgspec.UNSET
    description: str = ""
    genres: str = ""
    movies: list[MovieBody] | msgspec.UnsetType = msgspec.UNSET
    position: int | None = None

    def to_movies(self) -> tuple[Movie, ...]:
        """The core's movies; ValidationError unless the body is one of its two forms."""
        if self.movies is not msgspec.UNSET:
            if self.uuid is not msgspec.UNSET or self.title is not msgspec.UNSET:
                message = "send one movie, or a list of movies in movies, not both"
                raise ValidationError([FieldError("movies", message)])
            return _movies(self.movies)
        if isinstance(self.uuid, UUID) and isinstance(self.title, str):
            return (Movie(self.uuid, self.title, self.description, self.genres),)
        raise ValidationError(
            [
                FieldError(name, "is required")
                for name, value in (("uuid", self.uuid), ("title", self.title))
                if value is msgspec.UNSET
            ]
        )

    def named(self, error: ValidationError) -> ValidationError:
        """``error`` with the fields named as this body names them: a single movie's at the
        top level (``title``), not as the first of a list (``movies[0].title``)."""
        if self.movies is not msgspec.UNSET:
            return error
        return ValidationError(
            [FieldError(e.field.removeprefix("movies[0]."), e.message) for e in error.errors]
        )


class MoviePosition(msgspec.Struct, frozen=True):
    """Where a movie of a collection goes."""

    position: int


class CollectionCreated(msgspec.Struct, frozen=True):
    """The uuid of a new collection, and its version."""

    collection_uuid: UUID
    version: int


class CollectionBody(msgspec.Struct, frozen=True):
    """A whole collection, movies in the order the client gave them, and its version (the
    ETag's value): 1 when created, one more on every change."""

    uuid: UUID
    title: str
    description: str
    movies: list[ServedMovie]
    version: int

    @classmethod
    def of(cls, collection: Collection) -> CollectionBody:
        """The body of a core collection."""
        movies = [ServedMovie.of(movie) for movie in collection.movies]
        return cls(
            collection.uuid, collection.title, collection.description, movies, collection.version
        )


class CollectionListed(msgspec.Struct, frozen=True):
    """A collection as listed: everything but its movies, which it counts, and its version."""

    uuid: UUID
    title: str
    description: str
    movies_count: int
    version: int


class CollectionsData(msgspec.Struct, frozen=True):
    """One page of the caller's collections and their favourite genres."""

    collections: list[CollectionListed]
    favourite_genres: str
    count: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None


def _pages(count: int, page_size: int) -> int:
    """How many pages ``count`` items fill, ``page_size`` to a page: page 1 always exists."""
    return max(1, -(-count // page_size))


def _page_link(link: str, number: int, query: Mapping[str, str]) -> str:
    """The URL of page ``number`` of the listing at ``link``, keeping ``query``."""
    return f"{link}?{urlencode({'page': number, **query})}"


class CollectionsPageBody(msgspec.Struct, frozen=True):
    """The envelope the original clients expect around a page of collections."""

    is_success: bool
    data: CollectionsData

    @classmethod
    def of(
        cls, page: CollectionsPage, link: str, page_size: int, query: Mapping[str, str]
    ) -> CollectionsPageBody:
        """The body of a core page of collections; ``link`` is this endpoint's absolute URL,
        ``page_size`` how many collections a page holds, and ``query`` the other parameters
        the neighbouring pages carry."""
        listed = [
            CollectionListed(c.uuid, c.title, c.description, c.movies_count, c.version)
            for c in page.collections
        ]
        data = CollectionsData(
            collections=listed,
            favourite_genres=page.favourite_genres,
            count=page.count,
            page=page.page,
            page_size=page_size,
            pages=_pages(page.count, page_size),
            next=_page_link(link, page.page + 1, query)
            if page.page * page_size < page.count
            else None,
            previous=_page_link(link, page.page - 1, query) if page.page > 1 else None,
        )
        return cls(is_success=True, data=data)


class MoviesPageBody(msgspec.Struct, frozen=True):
    """One page of the catalog, with links to its neighbours."""

    count: int
    page: int
    page_size: int
    pages: int
    next: str | None
    previous: str | None
    movies: list[ServedMovie]

    @classmethod
    def of(cls, page: CatalogPage, link: str, query: Mapping[str, str]) -> MoviesPageBody:
        """The body of a core catalog page; ``link`` is this endpoint's absolute URL and
        ``query`` the other parameters the neighbouring pages carry."""

        return cls(
            count=page.count,
            page=page.page,
            page_size=CATALOG_PAGE_SIZE,
            pages=_pages(page.count, CATALOG_PAGE_SIZE),
            next=_page_link(link, page.page + 1, query) if page.has_next else None,
            previous=_page_link(link, page.page - 1, query) if page.has_previous else None,
            movies=[ServedMovie.of(movie) for movie in page.movies],
        )


class Message(msgspec.Struct, frozen=True):
    """A sentence saying what was done."""

    message: str


class RequestCount(msgspec.Struct, frozen=True):
    """How many requests the service answered since the last reset."""

    requests: int
