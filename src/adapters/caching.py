"""Small in-process caches for what every authenticated request asks again.

Each request verifies its token and checks that the token's session has not
ended. A verified token is remembered until it expires (``moviecore.security``); a
session found, for at most ``ttl`` seconds from the start of the read that found
it (``RecentSessions``): a session ended by another worker or instance is refused
here within ``ttl``, and one ended by this worker at once. Catalog searches asked
again within a few seconds are answered from memory too. Failures are never cached.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from enum import Enum
from uuid import UUID

from cachetools import TLRUCache, TTLCache

from moviecore import CatalogPage, Movie
from moviecore.ports import MovieQuery, SearchableCatalog, Session, SessionStore

Clock = Callable[[], float]


class _Ended(Enum):
    """Remembered in place of a session not found: ended, for good."""

    ENDED = "ended"


class RecentSessions:
    """A SessionStore that remembers, for ``ttl`` seconds, whether a session is live.

    Only ``find`` is answered from memory, and only within ``ttl`` seconds of the start
    of the read that answered it, so a session ended anywhere is refused here within
    ``ttl`` (the settings allow at most 1 s). A session ended through this worker is
    forgotten at once, and a read under way meanwhile is not remembered. A session
    not found is remembered for ``forget_after`` seconds: ended sessions never come
    back, so a flood of revoked tokens costs no reads. The generation of a session
    found may lag by ``ttl``: rotations always go to the store.
    """

    def __init__(
        self,
        sessions: SessionStore,
        *,
        ttl: float = 0.5,
        forget_after: float = 3600.0,
        size: int = 10_000,
        clock: Clock = time.monotonic,
    ) -> None:
        self._sessions = sessions
        self._ttl = ttl
        self._forget_after = forget_after
        self._clock = clock
        # Each answer kept until its own deadline (the time-to-use of a TLRU cache).
        self._found: TLRUCache[UUID, tuple[Session | _Ended, float]] = TLRUCache(
            maxsize=size, ttu=_until, timer=clock
        )
        self._endings = 0  # starts and ends of endings through this worker so far

    async def start(self, session: Session) -> None:
        """Store a new session."""
        await self._sessions.start(session)

    async def find(self, session_id: UUID) -> Session | None:
        """The session, from memory when read within ``ttl`` seconds."""
        remembered = self._found.get(session_id)
        if remembered is not None:
            return None if remembered[0] is _Ended.ENDED else remembered[0]
        started, endings = self._clock(), self._endings
        found = await self._sessions.find(session_id)
        if endings == self._endings:  # no session ended while reading: the answer holds
            if found is None:
                self._found[session_id] = (_Ended.ENDED, started + self._forget_after)
            else:
                self._found[session_id] = (found, started + self._ttl)
        return found

    async def rotate(self, session: Session) -> bool:
        """Store the next generation, in the store itself."""
        return await self._sessions.rotate(session)

    async def end(self, session_id: UUID) -> bool:
        """End the session, here at once (unless the store fails to)."""
        async with self._ending():
            ended = await self._sessions.end(session_id)
        self._found[session_id] = (_Ended.ENDED, self._clock() + self._forget_after)
        return ended

    async def end_all(self, user: UUID, *, keep: UUID | None = None) -> None:
        """End every session of ``user`` but ``keep``, here at once (unless the store fails to)."""
        async with self._ending():
            await self._sessions.end_all(user, keep=keep)
        for key, (found, _) in list(self._found.items()):
            if isinstance(found, Session) and found.user == user and found.id != keep:
                self._found.pop(key, None)

    @asynccontextmanager
    async def _ending(self) -> AsyncIterator[None]:
        """Count an ending as it starts and as it ends: a read that overlaps any of it
        sees the count change, and does not remember what it found."""
        self._endings += 1
        try:
            yield
        finally:
            self._endings += 1


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


def _until(_key: UUID, remembered: tuple[Session | _Ended, float], _now: float) -> float:
    return remembered[1]
