"""Use cases of the movie catalog: browse it a page at a time, or search it."""

from __future__ import annotations

from uuid import UUID

from ._collections import check_page
from ._entities import CatalogPage, Movie
from ._errors import MovieNotFound, PageNotFound
from ._limits import DEFAULT_LIMITS, Limits
from ._ports import Catalog, SearchableCatalog
from ._search import MovieQuery, search_words
from ._validate import check_search


async def list_movies(page: int = 1, *, catalog: Catalog) -> CatalogPage:
    """One page of the catalog.

    Raises:
        ValidationError: ``page`` is below 1.
        PageNotFound: ``page`` lies past the last page (page 1 always exists).
        CatalogUnavailable: the catalog cannot answer and nothing cached stands in.
    """
    check_page(page)
    return _within(await catalog.page(page))


async def search_movies(
    search: str,
    page: int = 1,
    *,
    genre: str = "",
    catalog: SearchableCatalog,
    limits: Limits | None = None,
) -> CatalogPage:
    """One page of the movies matching ``search`` and ``genre``, best first.

    ``genre`` (trimmed) keeps the movies of that genre only. Punctuation and
    spaces are no words: without words and without a genre this is the plain
    listing.

    Raises:
        ValidationError: ``page`` is below 1, or ``search`` or ``genre`` breaks the limits.
        PageNotFound: ``page`` lies past the last page (page 1 always exists).
        CatalogNotSynced: the catalog searches a local copy of the upstream not made yet.
        CatalogUnavailable: the catalog cannot answer and nothing cached stands in.
    """
    check_page(page)
    check_search(search, genre, limits or DEFAULT_LIMITS)
    query = MovieQuery(words=search_words(search), genre=genre.strip() or None)
    if not query.words and query.genre is None:
        return await list_movies(page, catalog=catalog)
    return _within(await catalog.search(query, page))


async def get_movie(uuid: UUID, *, catalog: SearchableCatalog) -> Movie:
    """The catalog's movie with this uuid.

    Raises:
        MovieNotFound: the catalog has no movie with this uuid.
        CatalogNotSynced: the catalog looks in a local copy of the upstream not made yet.
        CatalogUnavailable: the catalog cannot answer and nothing cached stands in.
    """
    found = await catalog.movie(uuid)
    if found is None:
        raise MovieNotFound(f"no movie with UUID {uuid} in the catalog")
    return found


def _within(result: CatalogPage) -> CatalogPage:
    # A page with pages after it is within the catalog even when empty: an upstream
    # page whose every movie was left out as unservable.
    if result.page > 1 and not result.movies and not result.has_next:
        raise PageNotFound(f"page {result.page} is past the last page")
    return result
