"""Movies as SQL sees them: the column list, and a whole batch bound as four arrays.

Binding one array per column and reading them back with ``unnest`` writes any
number of movies in one statement and one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from moviecore import Movie

MOVIE_COLUMNS = "uuid, title, description, genres"
UNNEST_MOVIES = "unnest(%s::uuid[], %s::text[], %s::text[], %s::text[])"


def movie_columns(
    movies: Sequence[Movie],
) -> tuple[list[UUID], list[str], list[str], list[str]]:
    """The movies' fields column by column, to bind to ``UNNEST_MOVIES``."""
    return (
        [movie.uuid for movie in movies],
        [movie.title for movie in movies],
        [movie.description for movie in movies],
        [movie.genres for movie in movies],
    )
