"""The contract of a catalog read a page at a time, for catalogs the caller cannot write to.

A read-only catalog (an upstream service, a file, a search index) holds what it
holds, so the contract asks for a ``catalog`` serving the movies of the
``catalog_movies`` fixture, in that order, and checks every page against them.
"""

from __future__ import annotations

import asyncio

import pytest

from moviecore import CatalogPage, Movie
from moviecore.ports import Catalog

from ._contract_base import Contract, movie

PAGE_SIZE = 10
_GENRES = ("Drama", "Comedy, Drama", "", "Sci-Fi, Horror, Thriller")


def _expected_pages(movies: list[Movie]) -> list[CatalogPage]:
    """Every page from 1 to the last (page 1 even when empty), as the catalog must serve it."""
    starts = range(0, max(len(movies), 1), PAGE_SIZE)
    return [
        CatalogPage(
            tuple(movies[start : start + PAGE_SIZE]),
            len(movies),
            start // PAGE_SIZE + 1,
            has_next=start + PAGE_SIZE < len(movies),
        )
        for start in starts
    ]


async def _read_every_page(catalog: Catalog, most: int) -> list[CatalogPage]:
    """Pages from 1 on while they say another follows, at most ``most`` of them."""
    pages = [await catalog.page(1)]
    while pages[-1].has_next and len(pages) < most:
        pages.append(await catalog.page(len(pages) + 1))
    return pages


class CatalogContract(Contract):
    """A catalog: pages of 10 in the catalog's order, each with the total count.

    Provide ``catalog``, serving exactly the movies of ``catalog_movies`` in that
    order. Each case runs with none, ten and 25 of them.
    """

    @pytest.fixture(params=[0, 10, 25], ids=lambda count: f"{count}-movies")
    @staticmethod
    def catalog_movies(request: pytest.FixtureRequest) -> list[Movie]:
        """The movies ``catalog`` must serve, in order: none, one full page, or two and a half."""
        count: int = request.param
        return [
            movie(f"Movie {n}", _GENRES[n % len(_GENRES)], f"The movie numbered {n}.")
            for n in range(count)
        ]

    @pytest.mark.anyio
    async def test_pages_list_every_movie_once_in_order(
        self, catalog: Catalog, catalog_movies: list[Movie]
    ) -> None:
        """Reading from page 1 while a next page is announced lists every movie once, in order,
        ten a page, each page with the total count."""
        expected = _expected_pages(catalog_movies)
        assert await _read_every_page(catalog, len(expected) + 1) == expected

    @pytest.mark.anyio
    async def test_pages_past_the_end_are_empty(
        self, catalog: Catalog, catalog_movies: list[Movie]
    ) -> None:
        """Any page after the last is empty, with the total count and no next page."""
        past = len(_expected_pages(catalog_movies)) + 1
        assert [await catalog.page(number) for number in (past, past + 10)] == [
            CatalogPage((), len(catalog_movies), number, has_next=False)
            for number in (past, past + 10)
        ]

    @pytest.mark.anyio
    async def test_pages_read_at_once_are_the_pages_read_in_turn(
        self, catalog: Catalog, catalog_movies: list[Movie]
    ) -> None:
        """Every page asked for at the same moment, twice over, is the page read alone."""
        numbers = [number for _ in range(2) for number in range(1, 5)]
        at_once = await asyncio.gather(*(catalog.page(number) for number in numbers))
        in_turn = [await catalog.page(number) for number in numbers]
        assert list(at_once) == in_turn
