"""How an edit changes a stored collection: one rule that every adapter applies.

Adapters call these inside their own transaction, on the state they have locked,
so that the read, the check and the write of an edit are one unit. The rules that
depend on that state (where a position may point, how many movies fit, whether a
movie is there to remove) are checked here, on it, and not before the lock.
"""

from __future__ import annotations

from dataclasses import replace
from uuid import UUID

from ._entities import (
    AddMovies,
    Collection,
    CollectionChanges,
    CollectionEdit,
    MoveMovie,
    Movie,
    RemoveMovie,
)
from ._errors import FieldError, MovieNotInCollection, ValidationError, VersionMismatch
from ._validate import unique_movies


def check_version(current: int, expected: int | None) -> None:
    """Raise VersionMismatch unless ``expected`` is None or the ``current`` version."""
    if expected is not None and expected != current:
        raise VersionMismatch(expected=expected, current=current)


def apply_changes(current: Collection, edit: CollectionEdit) -> Collection:
    """``current`` with ``edit`` applied and its version one higher.

    Raises:
        ValidationError: a position outside the list, or more movies than fit.
        MovieNotInCollection: the movie to remove or move is not in the collection.
    """
    match edit:
        case CollectionChanges():
            return replace(
                current,
                title=current.title if edit.title is None else edit.title,
                description=current.description if edit.description is None else edit.description,
                movies=current.movies if edit.movies is None else tuple(edit.movies),
                version=current.version + 1,
            )
        case AddMovies():
            movies = _added(current.movies, edit)
        case RemoveMovie():
            movies = _without(current.movies, edit.movie)
        case MoveMovie():
            moved = tuple(movie for movie in current.movies if movie.uuid == edit.movie)
            rest = _without(current.movies, edit.movie)
            _check_position(edit.position, len(rest))
            movies = rest[: edit.position] + moved + rest[edit.position :]
    return replace(current, movies=movies, version=current.version + 1)


def _added(movies: tuple[Movie, ...], edit: AddMovies) -> tuple[Movie, ...]:
    held = {movie.uuid for movie in movies}
    new = tuple(movie for movie in unique_movies(edit.movies) if movie.uuid not in held)
    if len(movies) + len(new) > edit.movies_max:
        message = (
            f"may hold at most {edit.movies_max} movies: the collection holds {len(movies)},"
            f" this adds {len(new)}"
        )
        raise ValidationError([FieldError("movies", message)])
    position = len(movies) if edit.position is None else edit.position
    _check_position(position, len(movies))
    return movies[:position] + new + movies[position:]


def _without(movies: tuple[Movie, ...], uuid: UUID) -> tuple[Movie, ...]:
    kept = tuple(movie for movie in movies if movie.uuid != uuid)
    if len(kept) == len(movies):
        raise MovieNotInCollection(f"the collection holds no movie with UUID {uuid}")
    return kept


def _check_position(position: int, last: int) -> None:
    """Raise ValidationError unless ``position`` is from 0 to ``last``."""
    if not 0 <= position <= last:
        raise ValidationError([FieldError("position", f"must be 0 to {last} in this collection")])
