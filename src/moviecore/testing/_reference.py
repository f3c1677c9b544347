"""A deliberately plain reference of how favourite genres are chosen, to test adapters against.

It is written from the contract's words, not from the core's code, so that a
test comparing the two can catch a mistake in either.
"""

from __future__ import annotations

from collections.abc import Iterable

from moviecore import Collection


def reference_favourite_genres(collections: Iterable[Collection], top: int = 3) -> str:
    """The ``top`` genres counted once per movie per collection, ties alphabetical, joined."""
    counts: dict[str, int] = {}
    for collection in collections:
        for movie in collection.movies:
            seen: set[str] = set()
            for part in movie.genres.split(","):
                genre = part.strip()
                if genre and genre not in seen:
                    seen.add(genre)
                    counts[genre] = counts.get(genre, 0) + 1
    alphabetical = sorted(counts, key=lambda genre: (genre.casefold(), genre))
    # sorted() is stable, so genres with equal counts stay in alphabetical order.
    ranked = sorted(alphabetical, key=lambda genre: counts[genre], reverse=True)
    return ", ".join(ranked[:top])
