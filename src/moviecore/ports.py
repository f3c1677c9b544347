"""What an adapter implements, and what helps it keep the core's rules.

The ports are ``typing.Protocol`` classes, each ``runtime_checkable``: any class with
the right methods fits, no base class needed. ``Ports`` holds one adapter per port
and is what ``moviecore.MovieCore`` is built on. Beside them: the values ports pass
(``Session``, ``CollectionSlice``, the collection edits, ``MovieQuery``,
``MovieKeys``, ``SyncMark``), the errors only adapters raise (``AlreadyStored``,
``CatalogPageUnreadable``), and helpers that let an adapter apply the core's rules
rather than copy them: the one rule of an update (``check_version``,
``apply_changes``), the login throttle's arithmetic (``LoginRule``), the checks of
a movie or a collection from outside (``normalise_movie``, ``movie_errors``,
``check_collection``), the genre counts (``split_genres``, ``count_genres``).

How each port must behave is pinned by ``moviecore.testing.contracts``; a change of
a port's signature follows the compatibility policy of the library guide.
"""

from ._changes import apply_changes, check_version
from ._entities import (
    AddMovies,
    CollectionEdit,
    CollectionSlice,
    MoveMovie,
    RemoveMovie,
    Session,
    SyncMark,
)
from ._errors import AlreadyStored, CatalogPageUnreadable
from ._genres import count_genres, split_genres
from ._limits import CATALOG_PAGE_SIZE, DEFAULT_LIMITS
from ._ports import (
    Catalog,
    CollectionRepository,
    LoginThrottle,
    MovieStore,
    PasswordHasher,
    Ports,
    RequestCounter,
    SearchableCatalog,
    SessionStore,
    SyncCursor,
    TokenIssuer,
    UserRepository,
)
from ._public import publish
from ._search import MovieKeys, MovieQuery
from ._throttle import AttemptWindow, LoginRule
from ._validate import check_collection, movie_errors, normalise_movie

__all__ = [
    "CATALOG_PAGE_SIZE",
    "DEFAULT_LIMITS",
    "AddMovies",
    "AlreadyStored",
    "AttemptWindow",
    "Catalog",
    "CatalogPageUnreadable",
    "CollectionEdit",
    "CollectionRepository",
    "CollectionSlice",
    "LoginRule",
    "LoginThrottle",
    "MoveMovie",
    "MovieKeys",
    "MovieQuery",
    "MovieStore",
    "PasswordHasher",
    "Ports",
    "RemoveMovie",
    "RequestCounter",
    "SearchableCatalog",
    "Session",
    "SessionStore",
    "SyncCursor",
    "SyncMark",
    "TokenIssuer",
    "UserRepository",
    "apply_changes",
    "check_collection",
    "check_version",
    "count_genres",
    "movie_errors",
    "normalise_movie",
    "split_genres",
]

publish(__all__, globals(), __name__)
