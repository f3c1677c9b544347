"""Use case of the movie catalog: browse it a page at a time."""

from __future__ import annotations

from ._collections import check_page
from ._entities import CatalogPage
from ._errors import PageNotFound
from ._ports import Catalog


async def list_movies(page: int = 1, *, catalog: Catalog) -> CatalogPage:
    """One page of the catalog; a page past the end is PageNotFound."""
    check_page(page)
    result = await catalog.page(page)
    if page > 1 and not result.movies:
        raise PageNotFound(f"page {page} is past the last page")
    return result
