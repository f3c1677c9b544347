"""Deliberately plain references of how favourite genres are chosen and how search ranks,
to test adapters against.

Each is written from the contract's words, not from the core's code, so that a
test comparing the two can catch a mistake in either.
"""

from __future__ import annotations

from collections.abc import Iterable

from moviecore import Collection, Movie
from moviecore._search import search_words


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


def reference_search(
    catalog: Iterable[Movie], search: str, genre: str | None = None
) -> list[Movie]:
    """The movies of ``catalog`` that ``search`` finds in ``genre``, best first, as the
    contract ranks them: the exact title, titles starting with the words, titles
    holding every word, then the rest; each group in catalog order."""
    wanted = list(search_words(search))
    groups: tuple[list[Movie], ...] = ([], [], [], [])
    for movie in catalog:
        if genre is not None and genre not in [part.strip() for part in movie.genres.split(",")]:
            continue
        title = list(search_words(movie.title))
        every_word = title + list(search_words(movie.description))
        if not wanted or title == wanted:
            groups[0].append(movie)
        elif _starts_with(title, wanted):
            groups[1].append(movie)
        elif _each_begins_one(wanted, title):
            groups[2].append(movie)
        elif _each_begins_one(wanted, every_word):
            groups[3].append(movie)
    return [movie for group in groups for movie in group]


def _starts_with(title: list[str], wanted: list[str]) -> bool:
    # The last word typed may be unfinished: it need only begin the title's word.
    *whole, last = wanted
    return (
        len(title) >= len(wanted)
        and title[: len(whole)] == whole
        and (title[len(whole)].startswith(last))
    )


def _each_begins_one(wanted: list[str], words: list[str]) -> bool:
    return all(any(word.startswith(prefix) for word in words) for prefix in wanted)
