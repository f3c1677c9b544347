"""One call to a complete set of in-memory ports, for tests, demos and notebooks."""

from __future__ import annotations

from collections.abc import Iterable

from moviecore import Movie
from moviecore.ports import Ports

from ._accounts import (
    FakeTokenIssuer,
    FastPasswordHasher,
    MemoryLoginThrottle,
    MemorySessionStore,
    MemoryUserRepository,
)
from ._storage import MemoryCollectionRepository, MemoryMovieStore, MemoryRequestCounter


def in_memory_ports(catalog_movies: Iterable[Movie] = ()) -> Ports:
    """Fresh in-memory adapters for every port; the catalog holds ``catalog_movies``."""
    return Ports(
        users=MemoryUserRepository(),
        collections=MemoryCollectionRepository(),
        catalog=MemoryMovieStore(catalog_movies),
        counter=MemoryRequestCounter(),
        hasher=FastPasswordHasher(),
        tokens=FakeTokenIssuer(),
        throttle=MemoryLoginThrottle(),
        sessions=MemorySessionStore(),
    )
