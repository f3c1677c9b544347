"""sync_catalog: copy a whole catalog, page by page, into a MovieStore the service keeps.

Resumable: a store holding ``n`` movies of this source already has its first
``n // page_size`` pages complete, so the copy resumes at the next page, the
possibly half-stored one (storing is an upsert by uuid, so its stored movies
are replaced in place, not doubled). The store must hold only this source's movies.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from moviecore import Catalog, CatalogPage, CatalogUnavailable, MovieStore

from .wire import PAGE_SIZE

log = logging.getLogger(__name__)


async def sync_catalog(
    source: Catalog,
    store: MovieStore,
    *,
    progress: Callable[[int, int], None] | None = None,
    page_size: int = PAGE_SIZE,
    attempts: int = 5,
    retry_pause: float = 1.0,
) -> int:
    """Copy every page of ``source`` into ``store``; the number of movies the store then holds.

    ``progress(done, total)`` is called after each page with pages done and pages
    in all. A page that fails ``attempts`` times in a row, ``retry_pause``
    seconds apart, ends the copy with CatalogUnavailable; run it again to resume.
    """
    number = await store.count() // page_size + 1
    while True:
        page = await _fetch(source, number, attempts, retry_pause)
        if page.movies:
            await store.put(page.movies)
        if progress is not None:
            total = -(-page.count // page_size)
            progress(min(number, total), total)
        # An empty page ends the copy too, so a source that misreports has_next cannot loop it.
        if not page.has_next or not page.movies:
            return await store.count()
        number += 1


async def _fetch(source: Catalog, number: int, attempts: int, pause: float) -> CatalogPage:
    for attempt in range(1, attempts):
        try:
            return await source.page(number)
        except CatalogUnavailable as exc:
            log.warning("sync: page %d failed (try %d of %d): %s", number, attempt, attempts, exc)
        await asyncio.sleep(pause)
    return await source.page(number)
