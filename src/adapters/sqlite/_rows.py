"""How movies become SQLite rows and back: uuids are stored as their canonical text."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from moviecore import Movie

MovieRow = tuple[str, str, str, str]


def movie_row(movie: Movie) -> MovieRow:
    """The (uuid, title, description, genres) columns of ``movie``."""
    return (str(movie.uuid), movie.title, movie.description, movie.genres)


def movie_from_row(row: Any) -> Movie:
    """The movie stored in a (uuid, title, description, genres) row."""
    uuid, title, description, genres = row
    return Movie(uuid=UUID(uuid), title=title, description=description, genres=genres)
