"""Search as the core defines it: what a word is, and the search use case over the fakes."""

from __future__ import annotations

import pytest

from moviecore import FieldError, Movie, PageNotFound, ValidationError
from moviecore._search import search_words
from moviecore.testing import MemoryMovieStore, sample_catalog
from moviecore.use_cases import list_movies, search_movies


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("The Godfather: Part II", ("the", "godfather", "part", "ii")),
        ("Amélie", ("amelie",)),
        ("ŁÓDŹ, Ørsted & Æon", ("lodz", "orsted", "aeon")),
        ("Straße ﬁnal", ("strasse", "final")),
        ("Spider-Man's 3D", ("spider", "man", "s", "3d")),
        ("Ёжик и Война", ("ежик", "и", "воина")),  # a breve is an accent too: й is и
        ("الرَّسالة", ("الرسالة",)),
        ("千と千尋", ("千", "と", "千", "尋")),
        ("Ἀθῆναι", ("αθηναι",)),
        ("snake_case", ("snake", "case")),
        ("  ... !!", ()),
    ],
)
def test_words_are_casefolded_unaccented_and_split_on_anything_else(
    text: str, words: tuple[str, ...]
) -> None:
    """Text becomes the words a person would type: no case, no accents, no punctuation."""
    assert search_words(text) == words


def test_a_very_long_word_counts_for_its_first_100_characters() -> None:
    """Words are cut after 100 characters, so any database can index them."""
    assert search_words("x" * 150 + " y") == ("x" * 100, "y")


@pytest.mark.anyio
async def test_a_search_without_words_is_the_plain_listing() -> None:
    """Punctuation alone, or spaces, search for nothing: the page is the catalog's own."""
    catalog = MemoryMovieStore(sample_catalog(25, seed=2))
    plain = await list_movies(2, catalog=catalog)
    assert [await search_movies(s, 2, catalog=catalog) for s in ("", " \t", "?! -- ...")] == [
        plain,
        plain,
        plain,
    ]


@pytest.mark.anyio
async def test_search_and_genre_are_checked_together() -> None:
    """Every broken rule of a search is reported at once, each naming its field."""
    with pytest.raises(ValidationError) as raised:
        await search_movies("x" * 201, genre="Drama, War", catalog=MemoryMovieStore())
    assert raised.value.errors == (
        FieldError("search", "must be 0 to 200 characters long"),
        FieldError("genre", "must name one genre, without commas"),
    )


@pytest.mark.anyio
async def test_a_page_past_the_matches_is_not_found() -> None:
    """Asking for a page after the last one of the matches is PageNotFound; page 1 of none
    is an empty page."""
    catalog = MemoryMovieStore(
        [
            Movie(uuid=m.uuid, title="Heat", description="", genres="")
            for m in sample_catalog(3, seed=4)
        ]
    )
    empty = await search_movies("cold", catalog=catalog)
    with pytest.raises(PageNotFound):
        await search_movies("heat", 2, catalog=catalog)
    assert (empty.movies, empty.count) == ((), 0)


@pytest.mark.anyio
async def test_a_genre_alone_lists_its_movies_in_catalog_order() -> None:
    """A genre without search words keeps the movies of that genre, in catalog order."""
    movies = sample_catalog(40, seed=9)
    catalog = MemoryMovieStore(movies)
    found = await search_movies(" ", genre=" War ", catalog=catalog)
    war = [m for m in movies if "War" in [g.strip() for g in m.genres.split(",")]]
    assert (found.movies, found.count) == (tuple(war[:10]), len(war))
