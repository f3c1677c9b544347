"""Editing a collection one movie at a time, and finding movies, through in-memory ports."""

from uuid import UUID, uuid4

import pytest

from moviecore import (
    CollectionDraft,
    CollectionNotFound,
    CollectionsPage,
    CollectionSummary,
    FieldError,
    Limits,
    Movie,
    MovieCoreError,
    MovieNotFound,
    MovieNotInCollection,
    ValidationError,
    VersionMismatch,
)
from moviecore.ports import DEFAULT_LIMITS, Ports
from moviecore.testing import MemoryMovieStore
from moviecore.use_cases import (
    add_movies,
    create_collection,
    get_collection,
    get_movie,
    list_collections,
    move_movie,
    remove_movie,
)

ALICE, BOB = UUID(int=1), UUID(int=2)


def _movie(n: int, genres: str = "Drama") -> Movie:
    return Movie(UUID(int=100 + n), f"Movie {n}", f"About {n}", genres)


async def _create(ports: Ports, *movies: Movie, owner: UUID = ALICE) -> UUID:
    draft = CollectionDraft("List", "", movies)
    return await create_collection(owner, draft, collections=ports.collections)


@pytest.mark.anyio
async def test_add_remove_and_move_one_movie_at_a_time(ports: Ports) -> None:
    """Each edit answers the collection as stored, one version higher, as a read shows it."""
    store = ports.collections
    uuid = await _create(ports, _movie(1))
    added = await add_movies(ALICE, uuid, [_movie(2)], collections=store)
    inserted = await add_movies(ALICE, uuid, [_movie(3), _movie(4)], position=0, collections=store)
    moved = await move_movie(ALICE, uuid, _movie(1).uuid, 0, collections=store)
    removed = await remove_movie(ALICE, uuid, _movie(3).uuid, collections=store, expected_version=4)
    assert [(c.movies, c.version) for c in (added, inserted, moved, removed)] == [
        ((_movie(1), _movie(2)), 2),
        ((_movie(3), _movie(4), _movie(1), _movie(2)), 3),
        ((_movie(1), _movie(3), _movie(4), _movie(2)), 4),
        ((_movie(1), _movie(4), _movie(2)), 5),
    ]
    assert await get_collection(ALICE, uuid, collections=store) == removed


@pytest.mark.anyio
async def test_an_add_is_checked_before_anything_is_stored(ports: Ports) -> None:
    """No movies, a negative position and a movie breaking the limits are named together,
    and the collection stays at its version."""
    uuid = await _create(ports)
    bad = Movie(uuid4(), "", "d" * (DEFAULT_LIMITS.movie_description_max + 1), "")
    refusals = []
    for movies, position in (([], None), ([bad], -1)):
        with pytest.raises(ValidationError) as raised:
            await add_movies(ALICE, uuid, movies, position=position, collections=ports.collections)
        refusals.append(raised.value.errors)
    assert refusals == [
        (FieldError("movies", "must hold at least one movie"),),
        (
            FieldError("movies[0].title", "must be 1 to 500 characters long"),
            FieldError("movies[0].description", "must be 0 to 10000 characters long"),
            FieldError("position", "must be 0 or more"),
        ),
    ]
    assert (await get_collection(ALICE, uuid, collections=ports.collections)).version == 1


@pytest.mark.anyio
async def test_the_movie_limit_counts_the_collection_after_the_add(ports: Ports) -> None:
    """An add that would take the collection past ``movies_max`` is refused whole."""
    limits = Limits(movies_max=3)
    uuid = await _create(ports, _movie(1), _movie(2))
    with pytest.raises(ValidationError) as raised:
        await add_movies(
            ALICE, uuid, [_movie(3), _movie(4)], collections=ports.collections, limits=limits
        )
    fits = await add_movies(
        ALICE, uuid, [_movie(1), _movie(3)], collections=ports.collections, limits=limits
    )
    assert (raised.value.errors, fits.movies) == (
        (
            FieldError(
                "movies",
                "may hold at most 3 movies: the collection holds 2, this adds 2",
            ),
        ),
        (_movie(1), _movie(2), _movie(3)),
    )


@pytest.mark.anyio
async def test_edits_of_what_is_not_there(ports: Ports) -> None:
    """Another owner's collection is not found; a movie it does not hold is not in it; a
    stale version is refused; a move past the end names the position."""
    store = ports.collections
    uuid = await _create(ports, _movie(1))
    attempts = [
        add_movies(BOB, uuid, [_movie(2)], collections=store),
        remove_movie(BOB, uuid, _movie(1).uuid, collections=store),
        move_movie(BOB, uuid, _movie(1).uuid, 0, collections=store),
        remove_movie(ALICE, uuid, _movie(2).uuid, collections=store),
        move_movie(ALICE, uuid, _movie(2).uuid, 0, collections=store),
        move_movie(ALICE, uuid, _movie(1).uuid, 1, collections=store),
        move_movie(ALICE, uuid, _movie(1).uuid, -1, collections=store),
        add_movies(ALICE, uuid, [_movie(2)], collections=store, expected_version=7),
    ]
    raised: list[type[Exception]] = []
    for attempt in attempts:
        with pytest.raises(MovieCoreError) as error:
            await attempt
        raised.append(type(error.value))
    assert raised == [
        CollectionNotFound,
        CollectionNotFound,
        CollectionNotFound,
        MovieNotInCollection,
        MovieNotInCollection,
        ValidationError,
        ValidationError,
        VersionMismatch,
    ]


@pytest.mark.anyio
async def test_listing_by_movie(ports: Ports) -> None:
    """``movie`` lists only the caller's collections holding it, with their counts."""
    holding = await _create(ports, _movie(1), _movie(2))
    await _create(ports, _movie(2))
    await _create(ports, _movie(1), owner=BOB)
    page = await list_collections(ALICE, movie=_movie(1).uuid, collections=ports.collections)
    assert page == CollectionsPage(
        (CollectionSummary(holding, "List", "", movies_count=2, version=1),),
        "Drama",
        1,
        1,
        has_next=False,
    )


@pytest.mark.anyio
async def test_a_movie_of_the_catalog_by_uuid() -> None:
    """A catalog movie is found by its uuid; an unknown one is not found."""
    catalog = MemoryMovieStore([_movie(1), _movie(2)])
    found = await get_movie(_movie(2).uuid, catalog=catalog)
    with pytest.raises(MovieNotFound):
        await get_movie(uuid4(), catalog=catalog)
    assert found == _movie(2)
