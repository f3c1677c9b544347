"""sync_catalog: copy a whole catalog, page by page, into a MovieStore the service keeps.

Resumable from a cursor kept in the same database: after each page is stored,
the cursor records it as the last page completed. The next run starts on the
page after it, or, when that page was the last one, reads it again, since the
catalog may have grown. Storing is an upsert by uuid, so a page read twice
replaces its movies in place instead of doubling them. What the store already
held (the bundled catalog, imported files) plays no part: every page is read.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from ._entities import CatalogPage, SyncMark
from ._errors import CatalogPageUnreadable, CatalogUnavailable
from ._limits import CATALOG_PAGE_SIZE
from ._ports import Catalog, MovieStore, SyncCursor

log = logging.getLogger("moviecore.sync")


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """Where a running sync stands, after each page."""

    page: int
    """The page just completed."""
    pages: int
    """Pages in all, by the source's count."""
    first_page: int
    """The page this run started on."""
    movies: int
    """Movies copied by this run."""
    seconds: float
    """Seconds since this run started."""

    @property
    def movies_per_second(self) -> float:
        """Movies copied a second so far in this run."""
        return self.movies / self.seconds if self.seconds > 0 else 0.0

    @property
    def seconds_left(self) -> float:
        """The time the pages left would take at this run's pace so far."""
        done = self.page - self.first_page + 1
        return max(0, self.pages - self.page) * self.seconds / done


@dataclass(frozen=True, slots=True)
class SyncResult:
    """What one run copied."""

    first_page: int
    last_page: int
    movies: int
    missed: int
    """Movies the source's count promised on the pages read but that could not be copied."""
    skipped: tuple[int, ...] = ()
    """Pages the source answered in a form that cannot be read, every try: passed over."""


async def sync_catalog(
    source: Catalog,
    store: MovieStore,
    cursor: SyncCursor,
    *,
    source_name: str,
    progress: Callable[[SyncProgress], None] | None = None,
    page_size: int = CATALOG_PAGE_SIZE,
    attempts: int = 5,
    retry_pause: float = 1.0,
    clock: Callable[[], float] = time.monotonic,
) -> SyncResult:
    """Copy every page of ``source`` into ``store``, from where ``cursor`` says it stopped.

    ``source_name`` (its URL) keys the cursor, so another source starts on page 1.
    ``progress`` is called after each page. A page that fails ``attempts`` times in
    a row, ``retry_pause`` seconds apart, ends the copy with CatalogUnavailable; run
    it again to resume. A page the source answers but in a form that cannot be read
    (CatalogPageUnreadable) every time is passed over, so that one broken page does
    not keep the pages after it from ever being copied; the result names it.
    ``page_size`` is the source's (the upstream API serves 10 movies a page), by which
    the movies it promised are counted.

    Raises:
        CatalogUnavailable: a page failed ``attempts`` times in a row.
    """
    mark = await cursor.read(source_name)
    first = 1 if mark is None else mark.page if mark.at_end else mark.page + 1
    started = clock()
    number, movies, missed, skipped = first, 0, 0, []
    while True:
        try:
            page = await _fetch(source, number, attempts, retry_pause)
        except CatalogPageUnreadable:
            log.warning("sync: page %d cannot be read; passed over", number)
            skipped.append(number)
            number += 1
            continue
        if not page.movies and not page.has_next and number > 1:
            # Past the end: the page before was the last one.
            await cursor.write(source_name, SyncMark(page=number - 1, at_end=True))
            return SyncResult(first, number - 1, movies, missed, tuple(skipped))
        await store.put(page.movies)
        at_end = not page.has_next
        await cursor.write(source_name, SyncMark(page=number, at_end=at_end))
        movies += len(page.movies)
        missed += max(0, page.expected_size(page_size) - len(page.movies))
        if progress is not None:
            pages = max(number, -(-page.count // page_size))
            progress(SyncProgress(number, pages, first, movies, clock() - started))
        if at_end:
            return SyncResult(first, number, movies, missed, tuple(skipped))
        number += 1


async def _fetch(source: Catalog, number: int, attempts: int, pause: float) -> CatalogPage:
    for attempt in range(1, attempts):
        try:
            return await source.page(number)
        except CatalogPageUnreadable:
            raise  # the source answered, and has had its own tries at reading the page
        except CatalogUnavailable as exc:
            log.warning("sync: page %d failed (try %d of %d): %s", number, attempt, attempts, exc)
        await asyncio.sleep(pause)
    return await source.page(number)
