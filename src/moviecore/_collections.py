"""Use cases of collections: create, list, read, update and delete, owner-scoped."""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID, uuid4

from ._collection_movies import apply_edit
from ._entities import (
    Collection,
    CollectionChanges,
    CollectionDraft,
    CollectionsPage,
)
from ._errors import CollectionNotFound, FieldError, PageNotFound, ValidationError
from ._genres import favourite_genres
from ._limits import DEFAULT_LIMITS, Limits
from ._ports import CollectionRepository
from ._validate import check_collection, unique_movies


def check_page(page: int) -> None:
    """Raise ValidationError unless ``page`` is a page number (1 or more)."""
    if page < 1:
        raise ValidationError([FieldError("page", "must be 1 or more")])


async def create_collection(
    owner: UUID,
    draft: CollectionDraft,
    *,
    collections: CollectionRepository,
    limits: Limits | None = None,
) -> UUID:
    """Store a new collection for ``owner`` and return its uuid.

    Duplicate movies (by uuid) are dropped, keeping the first of each.

    Raises:
        ValidationError: a field of the draft breaks the limits; names each one.
        StorageUnavailable: the collection repository cannot be reached.
    """
    check_collection(draft.title, draft.description, draft.movies, limits or DEFAULT_LIMITS)
    collection = Collection(
        uuid=uuid4(),
        owner=owner,
        title=draft.title,
        description=draft.description,
        movies=unique_movies(draft.movies),
    )
    await collections.add(collection)
    return collection.uuid


async def list_collections(
    owner: UUID,
    page: int = 1,
    *,
    movie: UUID | None = None,
    collections: CollectionRepository,
    limits: Limits | None = None,
) -> CollectionsPage:
    """One page of the owner's collections, newest first, with favourite genres.

    With ``movie``, only the collections holding that movie are listed and counted;
    the favourite genres are still those of every collection of the owner.

    Raises:
        ValidationError: ``page`` is below 1.
        PageNotFound: ``page`` lies past the last page (page 1 always exists).
        StorageUnavailable: the collection repository cannot be reached.
    """
    check_page(page)
    size = (limits or DEFAULT_LIMITS).collections_page_size
    found = await collections.page(owner, (page - 1) * size, size, movie=movie)
    if page > 1 and not found.summaries:
        raise PageNotFound(f"page {page} is past the last page")
    return CollectionsPage(
        collections=found.summaries,
        favourite_genres=favourite_genres(found.genre_counts),
        count=found.count,
        page=page,
        has_next=page * size < found.count,
    )


async def get_collection(
    owner: UUID, uuid: UUID, *, collections: CollectionRepository
) -> Collection:
    """The owner's collection with this uuid.

    Raises:
        CollectionNotFound: the owner has no collection with this uuid.
        StorageUnavailable: the collection repository cannot be reached.
    """
    collection = await collections.get(owner, uuid)
    if collection is None:
        raise CollectionNotFound(f"no collection with UUID {uuid}")
    return collection


async def update_collection(
    owner: UUID,
    uuid: UUID,
    changes: CollectionChanges,
    *,
    collections: CollectionRepository,
    limits: Limits | None = None,
    expected_version: int | None = None,
) -> Collection:
    """Apply the given fields to the owner's collection; ``movies`` replaces the list.

    Returns the collection as stored, its version one higher.

    Raises:
        ValidationError: a given field breaks the limits; names each one.
        CollectionNotFound: the owner has no collection with this uuid.
        VersionMismatch: ``expected_version`` is given and the collection is at another
            version; nothing was changed.
        StorageUnavailable: the collection repository cannot be reached.
    """
    check_collection(changes.title, changes.description, changes.movies, limits or DEFAULT_LIMITS)
    if changes.movies is not None:
        changes = replace(changes, movies=unique_movies(changes.movies))
    return await apply_edit(
        owner, uuid, changes, collections=collections, expected_version=expected_version
    )


async def delete_collection(
    owner: UUID,
    uuid: UUID,
    *,
    collections: CollectionRepository,
    expected_version: int | None = None,
) -> None:
    """Delete the owner's collection with this uuid.

    Raises:
        CollectionNotFound: the owner has no collection with this uuid.
        VersionMismatch: ``expected_version`` is given and the collection is at another
            version; nothing was deleted.
        StorageUnavailable: the collection repository cannot be reached.
    """
    if not await collections.remove(owner, uuid, expected_version=expected_version):
        raise CollectionNotFound(f"no collection with UUID {uuid}")
