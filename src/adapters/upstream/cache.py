"""Where CachedCatalog keeps pages: the PageCache port and its in-process implementation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from moviecore import CatalogPage


@dataclass(frozen=True, slots=True)
class CachedPage:
    """A catalog page and when (wall-clock seconds) it was fetched from its source."""

    page: CatalogPage
    fetched_at: float


class PageCache(Protocol):
    """Catalog pages by page number; a cache may forget anything at any time."""

    async def get(self, number: int) -> CachedPage | None:
        """The page kept for ``number``, if any; a cache that fails answers None."""

    async def put(self, number: int, entry: CachedPage, keep_for: float) -> None:
        """Keep ``entry`` for ``keep_for`` seconds; a cache that fails just forgets it."""


MEMORY_PAGES = 1024
"""Pages one process keeps at most: a few MiB of ordinary pages, whatever page numbers come."""


class MemoryPageCache:
    """Pages in a dict of this process, each with its expiry time, the oldest put dropped first."""

    def __init__(
        self, clock: Callable[[], float] = time.time, *, max_pages: int = MEMORY_PAGES
    ) -> None:
        if max_pages < 1:
            raise ValueError("max_pages must be 1 or more")
        self._clock = clock
        self._max_pages = max_pages
        self._entries: dict[int, tuple[CachedPage, float]] = {}

    async def get(self, number: int) -> CachedPage | None:
        """The page kept for ``number`` unless it has expired."""
        found = self._entries.get(number)
        if found is None:
            return None
        entry, expires_at = found
        if self._clock() >= expires_at:
            del self._entries[number]
            return None
        return entry

    async def put(self, number: int, entry: CachedPage, keep_for: float) -> None:
        """Keep ``entry`` until ``keep_for`` seconds from now, forgetting the oldest if full."""
        self._entries.pop(number, None)  # a page put again counts as the newest
        if len(self._entries) >= self._max_pages:
            del self._entries[next(iter(self._entries))]
        self._entries[number] = (entry, self._clock() + keep_for)
