"""Browsing the catalog and reading or resetting the request counter, through in-memory ports."""

from uuid import UUID

import pytest

from moviecore import CatalogPage, FieldError, Movie, PageNotFound, ValidationError
from moviecore.testing import MemoryMovieStore, MemoryRequestCounter, in_memory_ports
from moviecore.use_cases import list_movies, read_request_count, reset_request_count

CATALOG = [Movie(UUID(int=n), f"Movie {n}", f"About {n}", "Drama") for n in range(1, 24)]


@pytest.mark.anyio
async def test_catalog_pages_hold_ten_movies() -> None:
    """The catalog lists ten movies a page with the total and whether more follow."""
    catalog = in_memory_ports(CATALOG).catalog
    pages = [await list_movies(number, catalog=catalog) for number in (1, 3)]
    assert pages == [
        CatalogPage(tuple(CATALOG[:10]), 23, 1, has_next=True),
        CatalogPage(tuple(CATALOG[20:]), 23, 3, has_next=False),
    ]
    assert (pages[0].has_previous, pages[1].has_previous) == (False, True)


@pytest.mark.anyio
async def test_a_catalog_page_past_the_end_is_not_found() -> None:
    """Asking for page four of a three-page catalog is not found."""
    with pytest.raises(PageNotFound):
        await list_movies(4, catalog=MemoryMovieStore(CATALOG))


@pytest.mark.anyio
async def test_an_empty_catalog_has_an_empty_first_page() -> None:
    """An empty catalog still answers page one, with nothing on it."""
    assert await list_movies(catalog=MemoryMovieStore()) == CatalogPage((), 0, 1, has_next=False)


@pytest.mark.anyio
async def test_catalog_page_numbers_start_at_one() -> None:
    """Page 0 is a validation error on the page field."""
    with pytest.raises(ValidationError) as raised:
        await list_movies(0, catalog=MemoryMovieStore(CATALOG))
    assert raised.value.errors == (FieldError("page", "must be 1 or more"),)


@pytest.mark.anyio
async def test_counter_reads_and_resets() -> None:
    """The count reads what was added, and reads 0 right after a reset."""
    counter = MemoryRequestCounter()
    await counter.add(3)
    before = await read_request_count(counter=counter)
    await reset_request_count(counter=counter)
    assert (before, await read_request_count(counter=counter)) == (3, 0)
