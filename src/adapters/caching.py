"""Small in-process caches for what every authenticated request asks again.

Each request verifies its token and checks that the token's user exists. Both
answers change rarely, so each worker remembers recent ones for a while: a
verified token until it expires (``adapters.security``), a user that exists
for ``ttl`` seconds (the API never deletes users; one removed from the
database directly is refused again within ``ttl``). Catalog searches asked again
within a few seconds are answered from memory too. Failures are never cached.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from cachetools import TTLCache

from moviecore import CatalogPage, Movie, MovieQuery, SearchableCatalog, User, UserRepository

Clock = Callable[[], float]


class RecentUsers:
    """A UserRepository that remembers, for ``ttl`` seconds, users found by id."""

    def __init__(
        self,
        users: UserRepository,
        *,
        ttl: float = 60.0,
        size: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self._users = users
        self._found: TTLCache[UUID, User] = TTLCache(maxsize=size, ttl=ttl, timer=clock)

    async def add(self, user: User) -> None:
        """Store a new user."""
        await self._users.add(user)

    async def by_username(self, username: str) -> User | None:
        """The user with this username, always asked afresh (logins must see the store)."""
        return await self._users.by_username(username)

    async def by_id(self, user_id: UUID) -> User | None:
        """The user with this id, from memory when found within ``ttl`` seconds."""
        user = self._found.get(user_id)
        if user is None:
            user = await self._users.by_id(user_id)
            if user is not None:
                self._found[user_id] = user
        return user


class RecentSearches:
    """A SearchableCatalog that answers a search asked again within ``ttl`` seconds from
    memory, at most ``size`` pages of them; listing pages pass through.

    One search reads and ranks every match, which costs from 0.1 ms for a rare word to
    several ms for a common one on 45,466 movies, where a page of the listing is one
    cheap query; the same search asked by many people at once is then answered once.
    A catalog changed by an import or a sync shows in searches within ``ttl`` seconds.
    """

    def __init__(
        self,
        catalog: SearchableCatalog,
        *,
        ttl: float = 5.0,
        size: int = 1000,
        clock: Clock = time.monotonic,
    ) -> None:
        self._catalog = catalog
        self._found: TTLCache[tuple[MovieQuery, int], CatalogPage] = TTLCache(
            maxsize=size, ttl=ttl, timer=clock
        )

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` of the catalog, always asked afresh."""
        return await self._catalog.page(number)

    async def movie(self, uuid: UUID) -> Movie | None:
        """The catalog's movie with this uuid, always asked afresh."""
        return await self._catalog.movie(uuid)

    async def search(self, query: MovieQuery, number: int) -> CatalogPage:
        """Page ``number`` of the search, from memory when asked within ``ttl`` seconds."""
        found = self._found.get((query, number))
        if found is None:
            found = await self._catalog.search(query, number)
            self._found[query, number] = found
        return found
