"""Movies as SQL sees them: the column list, and a whole batch as four arrays.

Binding one array per column and turning them into rows with ``unnest`` writes any
number of movies in one statement; ``array_agg`` reads any number back as one row.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from moviecore import Movie

MOVIE_COLUMNS = "uuid, title, description, genres"
UNNEST_MOVIES = (
    "unnest(%(movie_uuids)s::uuid[], %(movie_titles)s::text[],"
    " %(movie_descriptions)s::text[], %(movie_genres)s::text[])"
)


def movie_columns(movies: Sequence[Movie]) -> dict[str, list[UUID] | list[str]]:
    """The movies' fields column by column, the parameters of ``UNNEST_MOVIES``."""
    return {
        "movie_uuids": [movie.uuid for movie in movies],
        "movie_titles": [movie.title for movie in movies],
        "movie_descriptions": [movie.description for movie in movies],
        "movie_genres": [movie.genres for movie in movies],
    }


def movies_from_columns(
    uuids: Sequence[UUID] | None,
    titles: Sequence[str] | None,
    descriptions: Sequence[str] | None,
    genres: Sequence[str] | None,
) -> tuple[Movie, ...]:
    """Movies from their fields column by column, as ``array_agg`` reads them back.

    An aggregate over no rows is NULL, so None stands for no movies.
    """
    return tuple(
        Movie(uuid=uuid, title=title, description=description, genres=genre)
        for uuid, title, description, genre in zip(
            uuids or (), titles or (), descriptions or (), genres or (), strict=True
        )
    )
