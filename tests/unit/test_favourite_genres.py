"""Favourite genres: the core's choice agrees with a plain reference on any collections."""

import asyncio
from uuid import UUID

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moviecore import Collection, CollectionDraft, Movie
from moviecore._genres import favourite_genres
from moviecore.ports import count_genres
from moviecore.testing import in_memory_ports, reference_favourite_genres
from moviecore.testing.strategies import collection_drafts
from moviecore.use_cases import create_collection, list_collections

OWNER = UUID(int=1)


def _collection(*genres: str) -> Collection:
    movies = tuple(Movie(UUID(int=n), f"M{n}", "", g) for n, g in enumerate(genres))
    return Collection(UUID(int=99), OWNER, "C", "", movies)


def _favourites(collections: list[Collection]) -> str:
    counts: dict[str, int] = {}
    for collection in collections:
        for genre, n in count_genres(collection.movies).items():
            counts[genre] = counts.get(genre, 0) + n
    return favourite_genres(counts)


@pytest.mark.parametrize(
    ("collections", "expected"),
    [
        ([], ""),
        ([_collection("", " , ,")], ""),
        ([_collection("Drama, Drama, Comedy")], "Comedy, Drama"),
        ([_collection("b, a, C, d")], "a, b, C"),
        ([_collection("drama", "Drama", "drama")], "drama, Drama"),
        ([_collection("War", "War"), _collection("War, Action", "Action")], "War, Action"),
    ],
)
def test_favourite_genres_examples(collections: list[Collection], expected: str) -> None:
    """Genres count once per movie, ties go alphabetically ignoring case, at most three show."""
    assert (_favourites(collections), reference_favourite_genres(collections)) == (
        expected,
        expected,
    )


@settings(max_examples=60, deadline=None)
@given(drafts=st.lists(collection_drafts(), max_size=6))
def test_listed_favourites_match_the_reference(drafts: list[CollectionDraft]) -> None:
    """Whatever collections a user makes, the listed favourite genres match the reference."""

    async def scenario() -> tuple[str, str]:
        ports = in_memory_ports()
        for draft in drafts:
            await create_collection(OWNER, draft, collections=ports.collections)
        stored = [
            collection
            for summary in (await ports.collections.page(OWNER, 0, len(drafts))).summaries
            if (collection := await ports.collections.get(OWNER, summary.uuid))
        ]
        listed = await list_collections(OWNER, collections=ports.collections)
        return listed.favourite_genres, reference_favourite_genres(stored)

    core, reference = asyncio.run(scenario())
    assert core == reference
