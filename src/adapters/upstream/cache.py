"""Where CachedCatalog keeps pages: the PageCache port and its in-process implementation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from cachetools import TLRUCache

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
    """Pages in a TLRU cache of this process, each kept for its own time; least recently
    used dropped first."""

    def __init__(
        self, clock: Callable[[], float] = time.time, *, max_pages: int = MEMORY_PAGES
    ) -> None:
        if max_pages < 1:
            raise ValueError("max_pages must be 1 or more")
        self._entries: TLRUCache[int, tuple[CachedPage, float]] = TLRUCache(
            maxsize=max_pages, ttu=_until_put_time_ends, timer=clock
        )

    async def get(self, number: int) -> CachedPage | None:
        """The page kept for ``number`` unless it has expired."""
        found = self._entries.get(number)
        return None if found is None else found[0]

    async def put(self, number: int, entry: CachedPage, keep_for: float) -> None:
        """Keep ``entry`` for ``keep_for`` seconds, forgetting the least recent if full."""
        self._entries[number] = (entry, keep_for)


def _until_put_time_ends(_number: int, kept: tuple[CachedPage, float], now: float) -> float:
    return now + kept[1]
