"""The things moviecore talks about: users, movies, collections and pages of them."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class User:
    """A registered account; the password reaches the core only as a hash.

    ``operator``: whether the account may do what only operators may (reset the
    request count), granted by the ``moviecore users`` command.
    """

    id: UUID
    username: str
    password_hash: str
    created_at: datetime = field(default_factory=_now)
    operator: bool = False


@dataclass(frozen=True, slots=True)
class Session:
    """One signing-in of a user (a login, or the registration): its tokens live and die
    with it.

    ``generation`` counts the rotations of its refresh token: only the refresh token
    of the current generation may be used, once. ``expires_at`` (Unix seconds) is
    when that refresh token expires; the store may forget the session after it.
    """

    id: UUID
    user: UUID
    generation: int
    expires_at: float


@dataclass(frozen=True, slots=True)
class SignedIn:
    """Who a valid access token speaks for: the user and the session it belongs to."""

    user: UUID
    session: UUID


@dataclass(frozen=True, slots=True)
class Tokens:
    """What a client receives when a session starts or is refreshed: a short-lived
    access token (``expires_in`` seconds), and the refresh token that renews it once."""

    access_token: str
    refresh_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class Movie:
    """A movie as the catalog lists it, or as a client snapshot inside a collection."""

    uuid: UUID
    title: str
    description: str
    genres: str


@dataclass(frozen=True, slots=True)
class Collection:
    """A user's named list of movie snapshots, in the order the user gave them.

    ``version`` is 1 when the collection is created and grows by one on every update,
    so a client can tell whether it changed since it was read.
    """

    uuid: UUID
    owner: UUID
    title: str
    description: str
    movies: tuple[Movie, ...]
    version: int = 1


@dataclass(frozen=True, slots=True)
class CollectionSummary:
    """A collection as listed: everything but its movies, which it counts."""

    uuid: UUID
    title: str
    description: str
    movies_count: int
    version: int

    @classmethod
    def of(cls, collection: Collection) -> "CollectionSummary":
        """How ``collection`` is listed."""
        return cls(
            uuid=collection.uuid,
            title=collection.title,
            description=collection.description,
            movies_count=len(collection.movies),
            version=collection.version,
        )


@dataclass(frozen=True, slots=True)
class CollectionSlice:
    """A slice of one owner's collections, newest first, with what is counted over all of
    them: how many there are, and in how many (movie, collection) pairs each genre appears
    (genres with a positive count only)."""

    summaries: tuple[CollectionSummary, ...]
    count: int
    genre_counts: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class CollectionDraft:
    """What a client sends to create a collection."""

    title: str
    description: str = ""
    movies: tuple[Movie, ...] = ()


@dataclass(frozen=True, slots=True)
class CollectionChanges:
    """A partial update of a collection: ``None`` leaves a field as it is."""

    title: str | None = None
    description: str | None = None
    movies: tuple[Movie, ...] | None = None


@dataclass(frozen=True, slots=True)
class AddMovies:
    """Movies to insert into a collection, in order, before the movie at ``position``
    (None: after the last one). A movie the collection already holds stays where it is;
    the collection may then hold at most ``movies_max`` movies."""

    movies: tuple[Movie, ...]
    movies_max: int
    position: int | None = None


@dataclass(frozen=True, slots=True)
class RemoveMovie:
    """Take every occurrence of one movie out of a collection."""

    movie: UUID


@dataclass(frozen=True, slots=True)
class MoveMovie:
    """Move one movie (every occurrence, kept together) so that it stands at ``position``
    in the list it leaves behind, counted from 0."""

    movie: UUID
    position: int


CollectionEdit = CollectionChanges | AddMovies | RemoveMovie | MoveMovie
"""Any change of one collection that a repository applies atomically, versioned."""


@dataclass(frozen=True, slots=True)
class CollectionsPage:
    """One page of a user's collections, newest first, with their favourite genres.

    ``has_next`` says whether a later page holds more of them.
    """

    collections: tuple[CollectionSummary, ...]
    favourite_genres: str
    count: int
    page: int
    has_next: bool


@dataclass(frozen=True, slots=True)
class CatalogPage:
    """One page of the movie catalog and the size of the whole catalog."""

    movies: tuple[Movie, ...]
    count: int
    page: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        """Whether a page comes before this one."""
        return self.page > 1

    def expected_size(self, page_size: int) -> int:
        """How many movies this page holds in a catalog of ``count`` movies, ``page_size``
        to a page: what its source promised, whatever it sent."""
        return max(0, min(page_size, self.count - (self.page - 1) * page_size))


@dataclass(frozen=True, slots=True)
class SyncMark:
    """The last page a sync of one source completed, and whether it was that source's last."""

    page: int
    at_end: bool
