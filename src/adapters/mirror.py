"""The upstream catalog with a local copy to search: ``moviecore catalog sync`` fills the copy."""

from __future__ import annotations

from moviecore import Catalog, CatalogNotSynced, CatalogPage, MovieQuery, MovieStore


class MirroredCatalog:
    """A SearchableCatalog paging through ``pages`` and searching its copy, ``mirror``.

    The upstream cannot search, so search waits for the copy: while it is empty,
    a search raises CatalogNotSynced rather than finding nothing.
    """

    def __init__(self, pages: Catalog, mirror: MovieStore) -> None:
        self._pages = pages
        self._mirror = mirror

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` of the upstream catalog."""
        return await self._pages.page(number)

    async def search(self, query: MovieQuery, number: int) -> CatalogPage:
        """Page ``number`` of the movies of the copy that ``query`` matches."""
        found = await self._mirror.search(query, number)
        # Only a search that found nothing pays for asking whether the copy is empty.
        if not found.count and not await self._mirror.count():
            raise CatalogNotSynced(
                "search runs over the local copy of the upstream catalog, which is empty:"
                " run `moviecore catalog sync` to fill it"
            )
        return found
