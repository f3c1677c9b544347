"""The contract of catalog search: Unicode-aware word prefixes, ranked, paged like the listing."""

from __future__ import annotations

from dataclasses import replace

import pytest

from moviecore import CatalogPage
from moviecore.ports import MovieQuery, MovieStore

from ._catalogs import sample_catalog
from ._contract_base import Contract, movie
from ._reference import reference_search


def _query(search: str, genre: str | None = None) -> MovieQuery:
    return MovieQuery.of(search, genre)


async def _found(store: MovieStore, search: str, genre: str | None = None) -> list[str]:
    """The titles of every movie the search finds, page after page, in the order listed."""
    titles: list[str] = []
    number = 1
    while True:
        page = await store.search(_query(search, genre), number)
        titles += [movie.title for movie in page.movies]
        if not page.has_next:
            return titles
        number += 1


class CatalogSearchContract(Contract):
    """Search of a local catalog: Unicode-aware word prefixes, ranked, paged like the listing."""

    @pytest.mark.anyio
    async def test_matches_are_ranked_then_in_catalog_order(self, movie_store: MovieStore) -> None:
        """The exact title comes first, then titles starting with the words, then titles
        holding them, then descriptions; equal ranks keep catalog order."""
        await movie_store.put(
            [
                movie("Making of The Godfather"),
                movie("Corleone", description="The Godfather's family, in New York."),
                movie("The Godfather: Part II"),
                movie("The Godfather"),
                movie("Heat", description="Cops and robbers."),
                movie("THE GODFATHER!"),
                movie("The Godfathers of Soul"),
            ]
        )
        assert await _found(movie_store, "the godfather") == [
            "The Godfather",
            "THE GODFATHER!",
            "The Godfather: Part II",
            "The Godfathers of Soul",
            "Making of The Godfather",
            "Corleone",
        ]

    @pytest.mark.anyio
    async def test_case_and_accents_do_not_matter(self, movie_store: MovieStore) -> None:
        """Searches find titles whatever their case and accents, and the other way round."""
        await movie_store.put(
            [movie("Amélie"), movie("AMELIE 2"), movie("Łódź Story"), movie("Die Straße")]
        )
        assert [
            await _found(movie_store, search)
            for search in ("amelie", "AMÉLIE", "lodz", "ŁÓDŹ", "strasse")
        ] == [
            ["Amélie", "AMELIE 2"],
            ["Amélie", "AMELIE 2"],
            ["Łódź Story"],
            ["Łódź Story"],
            ["Die Straße"],
        ]

    @pytest.mark.anyio
    async def test_words_match_by_their_beginning(self, movie_store: MovieStore) -> None:
        """The start of a word finds it; its middle or end does not."""
        await movie_store.put([movie("The Godfather"), movie("Godzilla")])
        assert [await _found(movie_store, s) for s in ("godf", "god", "odfather", "father")] == [
            ["The Godfather"],
            ["Godzilla", "The Godfather"],
            [],
            [],
        ]

    @pytest.mark.anyio
    async def test_every_script_is_found_by_its_own_words(self, movie_store: MovieStore) -> None:
        """Cyrillic, Arabic, Greek and Japanese titles are found by their words."""
        await movie_store.put(
            [
                movie("Война и мир"),
                movie("الرسالة", description="فيلم عن بداية الإسلام"),
                movie("Ζορμπάς"),
                movie("千と千尋の神隠し"),
            ]
        )
        searches = ("мир", "ВОЙНА", "الرسالة", "بداية", "ζορμπας", "千尋", "神隠し")
        assert [await _found(movie_store, search) for search in searches] == [
            ["Война и мир"],
            ["Война и мир"],
            ["الرسالة"],
            ["الرسالة"],
            ["Ζορμπάς"],
            ["千と千尋の神隠し"],
            ["千と千尋の神隠し"],
        ]

    @pytest.mark.anyio
    async def test_punctuation_is_ignored(self, movie_store: MovieStore) -> None:
        """Hyphens, colons and apostrophes neither join nor hide words, in titles or searches."""
        await movie_store.put([movie("Spider-Man: No Way Home"), movie("Schindler's List")])
        searches = ("spider man", "spider-man no way", "schindler s", "(list)")
        assert [await _found(movie_store, search) for search in searches] == [
            ["Spider-Man: No Way Home"],
            ["Spider-Man: No Way Home"],
            ["Schindler's List"],
            ["Schindler's List"],
        ]

    @pytest.mark.anyio
    async def test_genre_keeps_its_movies_only(self, movie_store: MovieStore) -> None:
        """A genre matches exactly after trimming; without words it lists its movies in order."""
        await movie_store.put(
            [
                movie("Night Train", genres="Comedy,  Drama "),
                movie("Night Shift", genres="Horror"),
                movie("Day Train", genres="Drama"),
                movie("Night Dramas", genres="Dramatic, drama"),
            ]
        )
        assert [
            await _found(movie_store, "night", "Drama"),
            await _found(movie_store, "", "Drama"),
            await _found(movie_store, "night", "Science Fiction"),
        ] == [["Night Train"], ["Night Train", "Day Train"], []]

    @pytest.mark.anyio
    async def test_results_page_like_the_listing(self, movie_store: MovieStore) -> None:
        """Matches come ten a page with their count; past the last page, an empty page."""
        movies = [movie(f"Heat {n}") for n in range(25)]
        await movie_store.put([movie("Cold"), *movies])
        pages = [await movie_store.search(_query("heat"), number) for number in (1, 3, 4)]
        assert pages == [
            CatalogPage(tuple(movies[:10]), 25, 1, has_next=True),
            CatalogPage(tuple(movies[20:]), 25, 3, has_next=False),
            CatalogPage((), 25, 4, has_next=False),
        ]

    @pytest.mark.anyio
    async def test_replaced_movie_is_found_by_its_new_words(self, movie_store: MovieStore) -> None:
        """After a movie is put again, its new title finds it and its old one no longer does."""
        working = movie("Working Title", genres="Drama")
        await movie_store.put([working])
        await movie_store.put([replace(working, title="Final Cut", genres="Comedy")])
        assert [
            await _found(movie_store, "working"),
            await _found(movie_store, "final", "Comedy"),
            await _found(movie_store, "final", "Drama"),
        ] == [[], ["Final Cut"], []]

    @pytest.mark.anyio
    async def test_ranks_a_large_catalog_as_the_reference_does(
        self, movie_store: MovieStore
    ) -> None:
        """On 2,000 made-up movies in many scripts, the first two pages of every search hold
        what the plain reference ranks there."""
        catalog = sample_catalog(2000, seed=11)
        await movie_store.put(catalog)
        searches = ["the", "night of", "amelie", "ka", "сталкер", "東京", "part 3", "story ven"]
        searches += [catalog[n].title for n in range(0, 2000, 250)]
        expected = []
        for search in searches:
            found = reference_search(catalog, search)
            expected += [
                CatalogPage(tuple(found[:10]), len(found), 1, len(found) > 10),
                CatalogPage(tuple(found[10:20]), len(found), 2, len(found) > 20),
            ]
        pages = [await movie_store.search(_query(s), n) for s in searches for n in (1, 2)]
        assert pages == expected
