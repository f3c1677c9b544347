"""Use cases editing the movies of a collection one at a time: add, remove, move.

Each is one atomic, versioned edit: the repository applies it with ``apply_changes``
on the state it has locked, so two clients editing one collection at once both see
their change kept, and ``expected_version`` refuses an edit made on a stale view.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from ._entities import AddMovies, Collection, CollectionEdit, MoveMovie, Movie, RemoveMovie
from ._errors import CollectionNotFound, FieldError, ValidationError
from ._limits import DEFAULT_LIMITS, Limits
from ._ports import CollectionRepository
from ._validate import movie_list_errors


async def apply_edit(
    owner: UUID,
    uuid: UUID,
    edit: CollectionEdit,
    *,
    collections: CollectionRepository,
    expected_version: int | None,
) -> Collection:
    """The owner's collection as stored after ``edit``; CollectionNotFound if absent."""
    edited = await collections.update(owner, uuid, edit, expected_version=expected_version)
    if edited is None:
        raise CollectionNotFound(f"no collection with UUID {uuid}")
    return edited


async def add_movies(
    owner: UUID,
    uuid: UUID,
    movies: Sequence[Movie],
    *,
    position: int | None = None,
    collections: CollectionRepository,
    limits: Limits | None = None,
    expected_version: int | None = None,
) -> Collection:
    """Insert ``movies``, in order, before the movie at ``position`` (from 0; None: at the
    end) of the owner's collection, and return it as stored, its version one higher.

    Duplicates among ``movies`` are dropped, keeping the first of each; a movie the
    collection already holds stays where it is, its snapshot unchanged.

    Raises:
        ValidationError: no movies, a movie breaks the limits, ``position`` is outside
            the list, or the collection would hold more than ``movies_max`` movies;
            nothing was changed.
        CollectionNotFound: the owner has no collection with this uuid.
        VersionMismatch: ``expected_version`` is given and the collection is at another
            version; nothing was changed.
        StorageUnavailable: the collection repository cannot be reached.
    """
    limits = limits or DEFAULT_LIMITS
    errors = [] if movies else [FieldError("movies", "must hold at least one movie")]
    errors += movie_list_errors(movies, limits)
    if position is not None and position < 0:
        errors.append(FieldError("position", "must be 0 or more"))
    if errors:
        raise ValidationError(errors)
    edit = AddMovies(movies=tuple(movies), movies_max=limits.movies_max, position=position)
    return await apply_edit(
        owner, uuid, edit, collections=collections, expected_version=expected_version
    )


async def remove_movie(
    owner: UUID,
    uuid: UUID,
    movie: UUID,
    *,
    collections: CollectionRepository,
    expected_version: int | None = None,
) -> Collection:
    """Take every occurrence of ``movie`` out of the owner's collection, and return it as
    stored, its version one higher.

    Raises:
        CollectionNotFound: the owner has no collection with this uuid.
        MovieNotInCollection: the collection does not hold ``movie``; nothing was changed.
        VersionMismatch: ``expected_version`` is given and the collection is at another
            version; nothing was changed.
        StorageUnavailable: the collection repository cannot be reached.
    """
    return await apply_edit(
        owner,
        uuid,
        RemoveMovie(movie=movie),
        collections=collections,
        expected_version=expected_version,
    )


async def move_movie(
    owner: UUID,
    uuid: UUID,
    movie: UUID,
    position: int,
    *,
    collections: CollectionRepository,
    expected_version: int | None = None,
) -> Collection:
    """Move ``movie`` so that it stands at ``position`` (from 0) of the owner's collection,
    the others keeping their order, and return it as stored, its version one higher.

    Raises:
        ValidationError: ``position`` is outside the list; nothing was changed.
        CollectionNotFound: the owner has no collection with this uuid.
        MovieNotInCollection: the collection does not hold ``movie``; nothing was changed.
        VersionMismatch: ``expected_version`` is given and the collection is at another
            version; nothing was changed.
        StorageUnavailable: the collection repository cannot be reached.
    """
    if position < 0:
        raise ValidationError([FieldError("position", "must be 0 or more")])
    return await apply_edit(
        owner,
        uuid,
        MoveMovie(movie=movie, position=position),
        collections=collections,
        expected_version=expected_version,
    )
