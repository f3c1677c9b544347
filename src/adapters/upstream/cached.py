"""CachedCatalog: pages served from a cache, fresh when possible, stale when the source fails.

A page younger than ``fresh_for`` seconds is served without asking the source.
An older or missing one is fetched; if the source fails, a page younger than
``fresh_for + stale_for`` is served instead (stale-if-error). Concurrent
requests of one page in one process share a single fetch, so a cold page
draws one upstream call however many clients ask for it at once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from moviecore import Catalog, CatalogPage, CatalogUnavailable

from .cache import CachedPage, PageCache

log = logging.getLogger(__name__)


class CachedCatalog:
    """A Catalog in front of another Catalog, keeping its pages in a PageCache."""

    def __init__(
        self,
        source: Catalog,
        cache: PageCache,
        *,
        fresh_for: float,
        stale_for: float,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if fresh_for < 0 or stale_for < 0:
            raise ValueError("fresh_for and stale_for must not be negative")
        self._source = source
        self._cache = cache
        self._fresh_for = fresh_for
        self._stale_for = stale_for
        self._clock = clock
        self._flights: dict[int, asyncio.Task[CatalogPage]] = {}

    async def page(self, number: int) -> CatalogPage:
        """Page ``number``: cached if fresh, else fetched once for every concurrent caller."""
        cached = await self._cache.get(number)
        if cached is not None and self._age(cached) < self._fresh_for:
            return cached.page
        flight = self._flights.get(number)
        if flight is None:
            flight = asyncio.create_task(self._refresh(number))
            self._flights[number] = flight
            flight.add_done_callback(lambda done: self._land(number, done))
        # One caller giving up must not cancel the fetch the others wait on.
        return await asyncio.shield(flight)

    def _land(self, number: int, flight: asyncio.Task[CatalogPage]) -> None:
        if self._flights.get(number) is flight:
            del self._flights[number]
        if not flight.cancelled():
            # Marks the error as seen even when every waiter has gone away.
            flight.exception()

    def _age(self, entry: CachedPage) -> float:
        return self._clock() - entry.fetched_at

    async def _refresh(self, number: int) -> CatalogPage:
        # Read again: a flight that just landed may have stored the page.
        cached = await self._cache.get(number)
        if cached is not None and self._age(cached) < self._fresh_for:
            return cached.page
        fetched_at = self._clock()
        try:
            page = await self._source.page(number)
        except CatalogUnavailable:
            if cached is not None and self._age(cached) < self._fresh_for + self._stale_for:
                log.warning("catalog source failed; serving page %d stale", number)
                return cached.page
            raise
        keep_for = self._fresh_for + self._stale_for
        await self._cache.put(number, CachedPage(page, fetched_at), keep_for)
        return page
