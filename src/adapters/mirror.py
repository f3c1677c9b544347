"""The upstream catalog with a local copy to search: ``moviecore catalog sync`` fills the copy."""

from __future__ import annotations

from uuid import UUID

from moviecore import CatalogNotSynced, CatalogPage, Movie
from moviecore.ports import Catalog, MovieQuery, MovieStore


class MirroredCatalog:
    """A SearchableCatalog paging through ``pages`` and searching its copy, ``mirror``.

    The upstream can neither search nor find one movie, so both wait for the copy:
    while it is empty, they raise CatalogNotSynced rather than finding nothing.
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
        if not found.count:
            await self._check_synced()
        return found

    async def movie(self, uuid: UUID) -> Movie | None:
        """The movie of the copy with this uuid, if any."""
        found = await self._mirror.movie(uuid)
        if found is None:
            await self._check_synced()
        return found

    async def _check_synced(self) -> None:
        if not await self._mirror.count():
            raise CatalogNotSynced(
                "search runs over the local copy of the upstream catalog, which is empty:"
                " run `moviecore catalog sync` to fill it"
            )
