"""moviecore: movie collections as a library of use cases over ports.

Wire the ports to adapters (ours in ``adapters``, the in-memory ones in
``moviecore.testing``, or your own) and call the use cases directly.
"""

from ._accounts import authenticate, login, register, register_user
from ._catalog import list_movies, search_movies
from ._changes import apply_changes, check_version
from ._collections import (
    create_collection,
    delete_collection,
    get_collection,
    list_collections,
    update_collection,
)
from ._counter import read_request_count, reset_request_count
from ._entities import (
    CatalogPage,
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionSlice,
    CollectionsPage,
    CollectionSummary,
    Movie,
    SyncMark,
    User,
)
from ._errors import (
    AlreadyStored,
    CatalogNotSynced,
    CatalogPageUnreadable,
    CatalogUnavailable,
    CollectionNotFound,
    FieldError,
    InvalidCredentials,
    InvalidToken,
    MovieCoreError,
    NotFound,
    PageNotFound,
    StorageUnavailable,
    TooManyAttempts,
    Unavailable,
    UsernameTaken,
    ValidationError,
    VersionMismatch,
)
from ._genres import count_genres, favourite_genres, split_genres
from ._limits import CATALOG_PAGE_SIZE, DEFAULT_LIMITS, Limits
from ._ports import (
    Catalog,
    CollectionRepository,
    LoginThrottle,
    MovieStore,
    PasswordHasher,
    Ports,
    RequestCounter,
    SearchableCatalog,
    SyncCursor,
    TokenIssuer,
    UserRepository,
)
from ._public import publish
from ._search import MovieKeys, MovieQuery, Rank, genre_needle, rank, search_words
from ._sync import SyncProgress, SyncResult, sync_catalog
from ._validate import check_collection, movie_errors, normalise_movie

__version__ = "0.1.0"

__all__ = [
    "CATALOG_PAGE_SIZE",
    "DEFAULT_LIMITS",
    "AlreadyStored",
    "Catalog",
    "CatalogNotSynced",
    "CatalogPage",
    "CatalogPageUnreadable",
    "CatalogUnavailable",
    "Collection",
    "CollectionChanges",
    "CollectionDraft",
    "CollectionNotFound",
    "CollectionRepository",
    "CollectionSlice",
    "CollectionSummary",
    "CollectionsPage",
    "FieldError",
    "InvalidCredentials",
    "InvalidToken",
    "Limits",
    "LoginThrottle",
    "Movie",
    "MovieCoreError",
    "MovieKeys",
    "MovieQuery",
    "MovieStore",
    "NotFound",
    "PageNotFound",
    "PasswordHasher",
    "Ports",
    "Rank",
    "RequestCounter",
    "SearchableCatalog",
    "StorageUnavailable",
    "SyncCursor",
    "SyncMark",
    "SyncProgress",
    "SyncResult",
    "TokenIssuer",
    "TooManyAttempts",
    "Unavailable",
    "User",
    "UserRepository",
    "UsernameTaken",
    "ValidationError",
    "VersionMismatch",
    "apply_changes",
    "authenticate",
    "check_collection",
    "check_version",
    "count_genres",
    "create_collection",
    "delete_collection",
    "favourite_genres",
    "genre_needle",
    "get_collection",
    "list_collections",
    "list_movies",
    "login",
    "movie_errors",
    "normalise_movie",
    "rank",
    "read_request_count",
    "register",
    "register_user",
    "reset_request_count",
    "search_movies",
    "search_words",
    "split_genres",
    "sync_catalog",
    "update_collection",
]

publish(__all__, globals(), __name__)
