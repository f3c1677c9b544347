"""Genre strings and how a user's favourite genres are chosen."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from ._entities import Movie


def split_genres(genres: str) -> frozenset[str]:
    """The distinct genres of a comma-separated string, trimmed, empties dropped."""
    return frozenset(part for raw in genres.split(",") if (part := raw.strip()))


def count_genres(movies: Iterable[Movie]) -> Counter[str]:
    """Each genre counted once per movie, over the movies of one collection."""
    return Counter(genre for movie in movies for genre in split_genres(movie.genres))


def favourite_genres(counts: Mapping[str, int], top: int = 3) -> str:
    """The ``top`` most counted genres, ties alphabetical, joined with ", "."""
    ranked = sorted(
        (genre for genre, n in counts.items() if n > 0),
        key=lambda genre: (-counts[genre], genre.casefold(), genre),
    )
    return ", ".join(ranked[:top])
