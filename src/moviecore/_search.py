"""Catalog search: how text becomes words, and how the movies a query matches are ranked.

Titles, descriptions and queries are compared as *search keys*: the text in
compatibility decomposition (NFKD), casefolded, without its combining marks (so
``É`` is ``e`` and ``ﬁ`` is ``fi``; a few letters that do not decompose, such as
``ø`` and ``ł``, are folded by hand), cut into words and joined by single spaces.
A word is a run of letters and digits; each Han or kana character is a word of
its own, since those scripts put no spaces between words. Everything else
(punctuation, symbols, spaces) only separates words. Every adapter stores the
keys computed here, so all of them agree on what a word is, whatever their
database knows of Unicode.

A query matches a movie when each of its words begins a word of the title or
the description. Matches are ranked (``rank``): the title equal to the query,
then titles starting with it, then titles holding every word, then the rest;
ties in catalog order.
"""

from __future__ import annotations

import enum
import re
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from ._entities import Movie
from ._genres import split_genres

MAX_WORD = 100
"""Characters of a word that count; longer words are cut, in keys and in queries alike.

Keeps every word a database indexes short (PostgreSQL refuses words over 2 KiB).
"""

# Scripts written without spaces between words: hiragana, katakana, CJK ideographs.
_IDEOGRAPHS = (
    "\u3005-\u3007\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0003ffff"
)
# One ideograph, or a run of other letters and digits (\w without the underscore).
_WORD = re.compile(f"[{_IDEOGRAPHS}]|[^\\W_{_IDEOGRAPHS}]+")

# Lowercase letters with a stroke or a ligature, which NFKD leaves whole.
_UNDECOMPOSED = {
    "æ": "ae",
    "đ": "d",
    "ð": "d",
    "ħ": "h",
    "\N{LATIN SMALL LETTER DOTLESS I}": "i",
    "ł": "l",
    "ø": "o",
    "œ": "oe",
}


class Rank(enum.IntEnum):
    """How well a movie matches a query; lower ranks are listed first."""

    EXACT_TITLE = 0
    TITLE_START = 1
    TITLE_WORDS = 2
    DESCRIPTION = 3


@dataclass(frozen=True, slots=True)
class MovieQuery:
    """What a search asks for: words that every match holds, and at most one genre.

    ``words`` are already normalised (``MovieQuery.of`` makes them from text); a query
    without words matches every movie of its genre.
    """

    words: tuple[str, ...]
    genre: str | None = None

    @classmethod
    def of(cls, text: str, genre: str | None = None) -> MovieQuery:
        """The query for the words of ``text``, as a user types them."""
        return cls(words=search_words(text), genre=genre)

    @property
    def key(self) -> str:
        """The query as a search key, to compare with a title's."""
        return " ".join(self.words)

    @property
    def genre_needle(self) -> str:
        """What to look for in ``MovieKeys.genres`` to find the query's genre: the genre
        between commas, or a comma alone (found in every movie's) when it names none."""
        return "," if self.genre is None else genre_needle(self.genre)


@cache
def _folding() -> dict[int, str | None]:
    """What ``str.translate`` drops (every combining mark) or replaces; built on first use."""
    table: dict[int, str | None] = {ord(letter): plain for letter, plain in _UNDECOMPOSED.items()}
    # About 0.1 s, once: the marks are read from the running Python's Unicode database.
    category = unicodedata.category
    table.update(
        {code: None for code in range(sys.maxunicode + 1) if category(chr(code))[0] == "M"}
    )
    return table


def search_words(text: str) -> tuple[str, ...]:
    """The words of ``text`` as search compares them: unaccented, casefolded, in order."""
    if text.isascii():  # most titles: already decomposed, nothing to drop
        folded = text.lower()
    else:
        folded = unicodedata.normalize("NFKD", text).casefold().translate(_folding())
    return tuple(found[:MAX_WORD] for found in _WORD.findall(folded))


def search_key(text: str) -> str:
    """The words of ``text`` joined by single spaces: what adapters store and compare."""
    return " ".join(search_words(text))


def genre_key(genres: str) -> str:
    """A movie's genres as one string in which ``genre_needle(g)`` is found for each genre g."""
    return "," + "".join(f"{genre}," for genre in sorted(split_genres(genres)))


def genre_needle(genre: str) -> str:
    """What to look for in a ``genre_key`` to find ``genre`` (which holds no comma)."""
    return f",{genre},"


@dataclass(frozen=True, slots=True)
class MovieKeys:
    """What search compares of a movie: its title and description as keys, its genres."""

    title: str
    description: str
    genres: str

    @classmethod
    def of(cls, movie: Movie) -> MovieKeys:
        """The keys of ``movie``, as every adapter stores them."""
        return cls(
            title=search_key(movie.title),
            description=search_key(movie.description),
            genres=genre_key(movie.genres),
        )


def rank(query: MovieQuery, keys: MovieKeys) -> Rank | None:
    """How a movie with these keys ranks for ``query``; None if it does not match.

    Every adapter ranks by this rule, in its own query language.
    """
    if query.genre is not None and genre_needle(query.genre) not in keys.genres:
        return None
    if not query.words or keys.title == query.key:
        return Rank.EXACT_TITLE
    if keys.title.startswith(query.key):
        return Rank.TITLE_START
    title = keys.title.split()
    if _begin_words(query.words, title):
        return Rank.TITLE_WORDS
    if _begin_words(query.words, title + keys.description.split()):
        return Rank.DESCRIPTION
    return None


def _begin_words(parts: Sequence[str], words: Sequence[str]) -> bool:
    """Whether each of ``parts`` begins one of ``words``."""
    return all(any(word.startswith(part) for word in words) for part in parts)
