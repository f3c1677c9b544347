"""moviecore: movie collections as a library of use cases over ports.

Build a ``MovieCore`` on a ``moviecore.ports.Ports`` (the in-memory adapters of
``moviecore.testing``, or adapters of your own) once, and call its methods: one per
use case. Here are the facade, the values it takes and returns, and the errors it
raises; ``moviecore.use_cases`` has the same use cases as functions taking their
ports one call at a time; ``moviecore.ports`` holds what an adapter implements and
the helpers that keep it to the core's rules; ``moviecore.sync`` copies a catalog
into a store of your own.
"""

from typing import TYPE_CHECKING

from . import _deprecated
from ._core import MovieCore
from ._entities import (
    CatalogPage,
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionsPage,
    CollectionSummary,
    Movie,
    SignedIn,
    Tokens,
    User,
)
from ._errors import (
    CatalogNotSynced,
    CatalogUnavailable,
    CollectionNotFound,
    FieldError,
    InvalidCredentials,
    InvalidToken,
    MovieCoreError,
    MovieNotFound,
    MovieNotInCollection,
    NotAllowed,
    NotFound,
    PageNotFound,
    RefreshTokenReused,
    SessionRevoked,
    StorageUnavailable,
    TokenExpired,
    TooManyAttempts,
    Unavailable,
    UsernameTaken,
    ValidationError,
    VersionMismatch,
    WrongPassword,
)
from ._limits import Limits
from ._public import publish

__version__ = "0.2.0"

__all__ = [
    "CatalogNotSynced",
    "CatalogPage",
    "CatalogUnavailable",
    "Collection",
    "CollectionChanges",
    "CollectionDraft",
    "CollectionNotFound",
    "CollectionSummary",
    "CollectionsPage",
    "FieldError",
    "InvalidCredentials",
    "InvalidToken",
    "Limits",
    "Movie",
    "MovieCore",
    "MovieCoreError",
    "MovieNotFound",
    "MovieNotInCollection",
    "NotAllowed",
    "NotFound",
    "PageNotFound",
    "RefreshTokenReused",
    "SessionRevoked",
    "SignedIn",
    "StorageUnavailable",
    "TokenExpired",
    "Tokens",
    "TooManyAttempts",
    "Unavailable",
    "User",
    "UsernameTaken",
    "ValidationError",
    "VersionMismatch",
    "WrongPassword",
]

publish(__all__, globals(), __name__)

if not TYPE_CHECKING:  # so that mypy reports every use of an old name left

    def __getattr__(name: str) -> object:
        """Names of 0.1 that moved keep working until 0.3, with a DeprecationWarning."""
        return _deprecated.moved(name)
