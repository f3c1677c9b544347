"""Creating, listing, reading, updating and deleting collections, through in-memory ports."""

from collections.abc import Awaitable, Callable
from uuid import UUID, uuid4

import pytest

from moviecore import (
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionNotFound,
    CollectionsPage,
    CollectionSummary,
    FieldError,
    Movie,
    PageNotFound,
    ValidationError,
    VersionMismatch,
)
from moviecore.ports import CollectionSlice, Ports
from moviecore.use_cases import (
    create_collection,
    delete_collection,
    get_collection,
    list_collections,
    update_collection,
)

ALICE, BOB = UUID(int=1), UUID(int=2)


def _movie(n: int, genres: str = "Drama", title: str | None = None) -> Movie:
    return Movie(UUID(int=100 + n), title or f"Movie {n}", f"About {n}", genres)


async def _create(ports: Ports, title: str, *movies: Movie, owner: UUID = ALICE) -> UUID:
    draft = CollectionDraft(title, f"{title} described", movies)
    return await create_collection(owner, draft, collections=ports.collections)


@pytest.mark.anyio
async def test_created_collection_reads_back_in_order(ports: Ports) -> None:
    """A new collection reads back with its fields and its movies in the order given."""
    movies = (_movie(3), _movie(1), _movie(2))
    uuid = await _create(ports, "Sunday", *movies)
    assert await get_collection(ALICE, uuid, collections=ports.collections) == Collection(
        uuid, ALICE, "Sunday", "Sunday described", movies
    )


@pytest.mark.anyio
async def test_repeated_movies_keep_the_first(ports: Ports) -> None:
    """A movie sent twice in one collection is kept once, as first sent, in first place."""
    first, other = _movie(1, title="First"), _movie(2)
    uuid = await _create(ports, "Twice", first, other, _movie(1, title="Again"))
    collection = await get_collection(ALICE, uuid, collections=ports.collections)
    assert collection.movies == (first, other)


@pytest.mark.anyio
async def test_invalid_draft_names_the_movie_field(ports: Ports) -> None:
    """A bad field of the third movie is reported as movies[2].title, and nothing is stored."""
    draft = CollectionDraft("", movies=(_movie(0), _movie(1), _movie(2, title="x" * 501)))
    with pytest.raises(ValidationError) as raised:
        await create_collection(ALICE, draft, collections=ports.collections)
    assert raised.value.errors == (
        FieldError("title", "must be 1 to 200 characters long"),
        FieldError("movies[2].title", "must be 1 to 500 characters long"),
    )
    assert await ports.collections.page(ALICE, 0, 10) == CollectionSlice(
        summaries=(), count=0, genre_counts={}
    )


@pytest.mark.anyio
async def test_nul_characters_are_refused_by_field(ports: Ports) -> None:
    """A NUL character in any text field is a validation error naming that field."""
    draft = CollectionDraft("a\x00b", movies=(_movie(0, title="x\x00"),))
    with pytest.raises(ValidationError) as raised:
        await create_collection(ALICE, draft, collections=ports.collections)
    assert raised.value.errors == (
        FieldError("title", "must not contain NUL characters"),
        FieldError("movies[0].title", "must not contain NUL characters"),
    )


@pytest.mark.anyio
@pytest.mark.parametrize("title", ["   ", "\t\n", "\u3000\u00a0"], ids=["spaces", "tab", "wide"])
async def test_a_blank_title_is_refused_and_changes_nothing(ports: Ports, title: str) -> None:
    """A title of white space alone is refused, on creation and on update, naming the title;
    the collection keeps the title it had."""
    collections = ports.collections
    kept = await create_collection(ALICE, CollectionDraft(" Kept "), collections=collections)
    refused = []
    for attempt in (
        lambda: create_collection(ALICE, CollectionDraft(title), collections=collections),
        lambda: update_collection(
            ALICE, kept, CollectionChanges(title=title), collections=collections
        ),
    ):
        with pytest.raises(ValidationError) as raised:
            await attempt()
        refused.append(raised.value.errors)
    stored = await list_collections(ALICE, collections=collections)
    assert refused == [(FieldError("title", "must not be blank"),)] * 2
    assert [summary.title for summary in stored.collections] == [" Kept "]


@pytest.mark.anyio
async def test_list_is_newest_first_with_favourite_genres(ports: Ports) -> None:
    """The list shows the newest collection first and the top three genres."""
    older = await _create(ports, "Older", _movie(1, "Drama, War"), _movie(2, "Comedy, Drama"))
    newer = await _create(ports, "Newer", _movie(1, "Drama"), _movie(3, "War, Action"))
    await _create(ports, "Not mine", _movie(4, "Comedy, Musical, Western"), owner=BOB)
    assert await list_collections(ALICE, collections=ports.collections) == CollectionsPage(
        (
            CollectionSummary(newer, "Newer", "Newer described", movies_count=2, version=1),
            CollectionSummary(older, "Older", "Older described", movies_count=2, version=1),
        ),
        "Drama, War, Action",
        2,
        1,
        has_next=False,
    )


@pytest.mark.anyio
async def test_pages_hold_ten_and_a_page_past_the_end_is_not_found(ports: Ports) -> None:
    """Twelve collections list as ten then two, only the first with a next page; page three
    is not found."""
    uuids = [await _create(ports, f"C{n}") for n in range(12)]
    first = await list_collections(ALICE, 1, collections=ports.collections)
    second = await list_collections(ALICE, 2, collections=ports.collections)
    assert (
        [summary.uuid for summary in second.collections],
        (first.count, first.page, first.has_next),
        (second.count, second.page, second.has_next),
    ) == ([uuids[1], uuids[0]], (12, 1, True), (12, 2, False))
    with pytest.raises(PageNotFound):
        await list_collections(ALICE, 3, collections=ports.collections)


@pytest.mark.anyio
async def test_no_collections_is_an_empty_first_page(ports: Ports) -> None:
    """A user without collections sees an empty first page and no favourite genres."""
    assert await list_collections(ALICE, collections=ports.collections) == CollectionsPage(
        (), "", 0, 1, has_next=False
    )


@pytest.mark.anyio
@pytest.mark.parametrize("page", [0, -1])
async def test_page_numbers_start_at_one(ports: Ports, page: int) -> None:
    """Page 0 or below is a validation error on the page field."""
    with pytest.raises(ValidationError) as raised:
        await list_collections(ALICE, page, collections=ports.collections)
    assert raised.value.errors == (FieldError("page", "must be 1 or more"),)


@pytest.mark.anyio
async def test_update_changes_only_given_fields(ports: Ports) -> None:
    """Updating the title alone keeps the description and the movies."""
    uuid = await _create(ports, "Old", _movie(1))
    changes = CollectionChanges(title="New")
    updated = await update_collection(ALICE, uuid, changes, collections=ports.collections)
    expected = Collection(
        uuid=uuid,
        owner=ALICE,
        title="New",
        description="Old described",
        movies=(_movie(1),),
        version=2,
    )
    assert (updated, await get_collection(ALICE, uuid, collections=ports.collections)) == (
        expected,
        expected,
    )


@pytest.mark.anyio
async def test_writes_naming_a_stale_version_change_nothing(ports: Ports) -> None:
    """An update or a delete expecting a version the collection has left is refused and the
    collection stays; expecting the current version, both go through."""
    uuid = await _create(ports, "Old", _movie(1))
    await update_collection(
        ALICE, uuid, CollectionChanges(title="v2"), collections=ports.collections
    )
    before = await get_collection(ALICE, uuid, collections=ports.collections)
    stale = [
        update_collection(
            ALICE,
            uuid,
            CollectionChanges(title="x"),
            collections=ports.collections,
            expected_version=1,
        ),
        delete_collection(ALICE, uuid, collections=ports.collections, expected_version=1),
    ]
    for attempt in stale:
        with pytest.raises(VersionMismatch):
            await attempt
    after = await get_collection(ALICE, uuid, collections=ports.collections)
    current = await update_collection(
        ALICE,
        uuid,
        CollectionChanges(title="v3"),
        collections=ports.collections,
        expected_version=2,
    )
    await delete_collection(ALICE, uuid, collections=ports.collections, expected_version=3)
    with pytest.raises(CollectionNotFound):
        await get_collection(ALICE, uuid, collections=ports.collections)
    assert (after, current.title, current.version) == (before, "v3", 3)


@pytest.mark.anyio
async def test_update_replaces_the_whole_movie_list(ports: Ports) -> None:
    """Given movies replace the old list whole, repeats dropped, and genres follow."""
    uuid = await _create(ports, "Mix", _movie(1, "Drama"), _movie(2, "Drama"))
    movies = (_movie(3, "Horror"), _movie(1, "Horror, Drama"), _movie(3, "Comedy"))
    changes = CollectionChanges(description="", movies=movies)
    updated = await update_collection(ALICE, uuid, changes, collections=ports.collections)
    listed = await list_collections(ALICE, collections=ports.collections)
    assert (updated.movies, updated.description, listed.favourite_genres) == (
        movies[:2],
        "",
        "Horror, Drama",
    )


@pytest.mark.anyio
async def test_invalid_update_changes_nothing(ports: Ports) -> None:
    """An update with a bad field is refused and the collection stays as it was."""
    uuid = await _create(ports, "Keep", _movie(1))
    before = await get_collection(ALICE, uuid, collections=ports.collections)
    changes = CollectionChanges(title="Fine", movies=(_movie(2), _movie(3, "x" * 501)))
    with pytest.raises(ValidationError) as raised:
        await update_collection(ALICE, uuid, changes, collections=ports.collections)
    assert raised.value.errors == (
        FieldError("movies[1].genres", "must be 0 to 500 characters long"),
    )
    assert await get_collection(ALICE, uuid, collections=ports.collections) == before


@pytest.mark.anyio
async def test_delete_removes_the_collection(ports: Ports) -> None:
    """A deleted collection is gone from reads, lists and favourite genres."""
    kept = await _create(ports, "Kept")
    gone = await _create(ports, "Gone", _movie(1, "Drama"))
    await delete_collection(ALICE, gone, collections=ports.collections)
    with pytest.raises(CollectionNotFound):
        await get_collection(ALICE, gone, collections=ports.collections)
    assert await list_collections(ALICE, collections=ports.collections) == CollectionsPage(
        (CollectionSummary(kept, "Kept", "Kept described", movies_count=0, version=1),),
        "",
        1,
        1,
        has_next=False,
    )


@pytest.mark.anyio
async def test_another_users_collection_is_not_found(ports: Ports) -> None:
    """Bob can neither read, update nor delete Alice's collection, which stays as it was."""
    uuid = await _create(ports, "Alice's", _movie(1))
    before = await get_collection(ALICE, uuid, collections=ports.collections)
    attempts = [
        get_collection(BOB, uuid, collections=ports.collections),
        update_collection(
            BOB, uuid, CollectionChanges(title="Bob's"), collections=ports.collections
        ),
        delete_collection(BOB, uuid, collections=ports.collections),
    ]
    for attempt in attempts:
        with pytest.raises(CollectionNotFound):
            await attempt
    assert await get_collection(ALICE, uuid, collections=ports.collections) == before


@pytest.mark.anyio
@pytest.mark.parametrize("action", ["get", "update", "delete"])
async def test_unknown_collection_is_not_found(ports: Ports, action: str) -> None:
    """Reading, updating or deleting a uuid never created is not found, naming the uuid."""
    uuid = uuid4()
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "get": lambda: get_collection(ALICE, uuid, collections=ports.collections),
        "update": lambda: update_collection(
            ALICE, uuid, CollectionChanges(), collections=ports.collections
        ),
        "delete": lambda: delete_collection(ALICE, uuid, collections=ports.collections),
    }
    with pytest.raises(CollectionNotFound) as raised:
        await calls[action]()
    assert str(raised.value) == f"no collection with UUID {uuid}"
