"""The catalog's one rule for movies from outside: what it serves, a collection accepts."""

from __future__ import annotations

import asyncio
from uuid import UUID

from hypothesis import given, settings
from hypothesis import strategies as st

from moviecore import CollectionDraft, Limits, Movie
from moviecore.ports import DEFAULT_LIMITS, normalise_movie
from moviecore.testing import in_memory_ports
from moviecore.use_cases import create_collection, get_collection

OWNER = UUID(int=1)
MOVIE = UUID(int=2)


def _movie(title: str, description: str = "", genres: str = "") -> Movie:
    return Movie(uuid=MOVIE, title=title, description=description, genres=genres)


def test_text_over_its_limit_is_cut_at_the_limit() -> None:
    """A 600-character title, a long description and long genres are cut, nothing else changes."""
    limits = Limits(movie_title_max=500, movie_description_max=20, genres_max=10)
    movie = _movie(" é" * 300, "d" * 25, "Drama, War, Crime")

    assert normalise_movie(movie, limits) == _movie((" é" * 300)[:500], "d" * 20, "Drama, War")


def test_nul_characters_are_removed_and_the_rest_kept() -> None:
    """NUL characters disappear; spaces, quotes and every other character stay as they were."""
    movie = _movie(" Amé\x00lie\x00 ", '"shy"\x00\n', "\x00Comedy")

    assert normalise_movie(movie) == _movie(" Amélie ", '"shy"\n', "Comedy")


def test_a_movie_without_a_title_cannot_be_served() -> None:
    """An empty title, or one of NUL characters only, leaves nothing to serve."""
    assert (normalise_movie(_movie("")), normalise_movie(_movie("\x00\x00"))) == (None, None)


@settings(max_examples=60, deadline=None)
@given(
    title=st.text(max_size=700),
    description=st.text(max_size=12_000),
    genres=st.text(max_size=700),
)
def test_every_normalised_movie_is_accepted_by_a_collection(
    title: str, description: str, genres: str
) -> None:
    """Whatever text a movie arrives with, once normalised a collection stores it unchanged."""
    movie = normalise_movie(_movie(title, description, genres), DEFAULT_LIMITS)
    ports = in_memory_ports()

    async def post_and_read() -> tuple[Movie, ...]:
        draft = CollectionDraft(title="From the catalog", movies=(movie,) if movie else ())
        uuid = await create_collection(OWNER, draft, collections=ports.collections)
        return (await get_collection(OWNER, uuid, collections=ports.collections)).movies

    assert asyncio.run(post_and_read()) == ((movie,) if movie else ())
