"""Hypothesis strategies of client input, valid and (separately) invalid, for given Limits.

Valid values pass the core's checks; each ``invalid_*`` strategy breaks at least
one rule. Text leaves out lone surrogates and NUL, which no storage can keep.
Text reaches every limit now and then, built by repetition so that examples stay quick.
"""

from __future__ import annotations

import string
from dataclasses import replace
from uuid import UUID

from hypothesis import strategies as st

from moviecore import CollectionChanges, CollectionDraft, Limits, Movie
from moviecore.ports import DEFAULT_LIMITS

__all__ = [
    "collection_changes",
    "collection_drafts",
    "genre_names",
    "genres",
    "invalid_collection_changes",
    "invalid_collection_drafts",
    "invalid_movies",
    "invalid_passwords",
    "invalid_usernames",
    "movie_uuids",
    "movies",
    "passwords",
    "usernames",
]

USERNAME_ALPHABET = string.ascii_letters + string.digits + "@.+-_"
_CHARACTERS = st.characters(exclude_categories=["Cs"], exclude_characters="\x00")
# A few fixed uuids, so that drafts often share movies, within and across collections.
_SHARED_UUIDS = tuple(UUID(int=n) for n in range(1, 9))
# Names differing only in case or order, so that ties and exact comparison both matter.
_GENRE_NAMES = ("Drama", "drama", "Comedy", "Action", "Sci-Fi", "War", "Ünïcode", "film noir")


def _text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    return st.text(_CHARACTERS, min_size=min_size, max_size=max_size)


def _text_within(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Short text mostly, and now and then text at or just under ``max_size``.

    The long text repeats a short piece, so that reaching a large limit stays quick.
    """
    at_limit = st.builds(
        lambda piece, short_by: (piece * max_size)[: max(min_size, max_size - short_by)],
        _text(1, 8),
        st.integers(0, 2),
    )
    return _text(min_size, min(max_size, 20)) | at_limit


def _too_long(limit: int) -> st.SearchStrategy[str]:
    # One repeated character: crossing a large limit must not cost a large example.
    return st.builds(lambda char, extra: char * (limit + extra), _CHARACTERS, st.integers(1, 8))


def usernames(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[str]:
    """Usernames of letters, digits and ``@.+-_`` within the length limit."""
    return st.text(USERNAME_ALPHABET, min_size=1, max_size=min(limits.username_max, 30))


def invalid_usernames(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[str]:
    """Usernames that are empty, too long, or hold a character outside the alphabet."""
    foreign = st.characters(exclude_categories=["Cs"]).filter(
        lambda char: char not in USERNAME_ALPHABET
    )
    with_foreign = st.tuples(usernames(limits), foreign, usernames(limits)).map("".join)
    too_long = st.text(USERNAME_ALPHABET, min_size=limits.username_max + 1, max_size=200)
    return st.just("") | too_long | with_foreign


def _fit_bytes(text: str, max_bytes: int) -> str:
    while len(text.encode("utf-8")) > max_bytes:
        text = text[:-1]
    return text


def passwords(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[str]:
    """Passwords of ``password_min_bytes`` to ``password_max_bytes`` bytes in UTF-8."""
    low, high = limits.password_min_bytes, limits.password_max_bytes
    # Trimming to ``high`` bytes keeps at least ``high // 4`` characters, so the filter
    # rejects something only under limits where ``low`` is close to ``high``.
    return (
        _text(low, high)
        .map(lambda text: _fit_bytes(text, high))
        .filter(lambda text: len(text.encode("utf-8")) >= low)
    )


def invalid_passwords(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[str]:
    """Passwords shorter or longer in UTF-8 bytes than the limits allow."""
    short = st.text(string.printable, max_size=limits.password_min_bytes - 1)
    long_ascii = st.text(string.ascii_letters, min_size=limits.password_max_bytes + 1)
    # Few characters but too many bytes: the limit counts bytes, not characters.
    wide = st.integers(limits.password_max_bytes // 3 + 1, limits.password_max_bytes).map(
        lambda n: "\N{EURO SIGN}" * n
    )
    return short | long_ascii.map(lambda text: text[: limits.password_max_bytes + 8]) | wide


def genre_names() -> st.SearchStrategy[str]:
    """Single genre names, from a small pool so that counts collide and tie."""
    return st.sampled_from(_GENRE_NAMES)


def genres(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[str]:
    """Comma-separated genre strings with stray spaces, repeats and empty parts."""
    part = st.tuples(st.sampled_from(("", " ", "  ")), genre_names() | st.just(""))
    joined = st.lists(part.map("".join), max_size=5).map(",".join)
    return joined.filter(lambda text: len(text) <= limits.genres_max)


def movie_uuids() -> st.SearchStrategy[UUID]:
    """Movie uuids, often one of a few shared ones so that movies repeat."""
    return st.sampled_from(_SHARED_UUIDS) | st.uuids()


def movies(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[Movie]:
    """Movies whose every field is within the limits."""
    return st.builds(
        Movie,
        uuid=movie_uuids(),
        title=_text_within(1, limits.movie_title_max),
        description=_text_within(0, limits.movie_description_max),
        genres=genres(limits),
    )


def invalid_movies(limits: Limits = DEFAULT_LIMITS) -> st.SearchStrategy[Movie]:
    """Movies with an empty or too long title, a too long description or genres, or a NUL."""
    valid = movies(limits)
    return st.one_of(
        valid.map(lambda movie: replace(movie, title="")),
        st.builds(replace, valid, title=_too_long(limits.movie_title_max)),
        st.builds(replace, valid, description=_too_long(limits.movie_description_max)),
        st.builds(replace, valid, genres=_too_long(limits.genres_max)),
        valid.map(lambda movie: replace(movie, description=movie.description + "\x00")),
    )


def _movie_lists(limits: Limits, max_size: int) -> st.SearchStrategy[tuple[Movie, ...]]:
    return st.lists(movies(limits), max_size=min(limits.movies_max, max_size)).map(tuple)


def collection_drafts(
    limits: Limits = DEFAULT_LIMITS, max_movies: int = 5
) -> st.SearchStrategy[CollectionDraft]:
    """Drafts within the limits, with up to ``max_movies`` movies (uuids may repeat)."""
    return st.builds(
        CollectionDraft,
        title=_text_within(1, limits.title_max).filter(lambda title: not title.isspace()),
        description=_text_within(0, limits.description_max),
        movies=_movie_lists(limits, max_movies),
    )


def collection_changes(
    limits: Limits = DEFAULT_LIMITS, max_movies: int = 5
) -> st.SearchStrategy[CollectionChanges]:
    """Partial updates within the limits: each field absent (None) or valid."""
    draft = collection_drafts(limits, max_movies)
    return st.builds(
        CollectionChanges,
        title=st.none() | draft.map(lambda d: d.title),
        description=st.none() | draft.map(lambda d: d.description),
        movies=st.none() | _movie_lists(limits, max_movies),
    )


def _bad_movie_lists(limits: Limits) -> st.SearchStrategy[tuple[Movie, ...]]:
    # One bad movie among good ones, or one movie too many (repeats count before dedupe).
    with_bad = st.tuples(_movie_lists(limits, 3), invalid_movies(limits), _movie_lists(limits, 3))
    too_many = movies(limits).map(lambda movie: (movie,) * (limits.movies_max + 1))
    return with_bad.map(lambda parts: (*parts[0], parts[1], *parts[2])) | too_many


def invalid_collection_drafts(
    limits: Limits = DEFAULT_LIMITS,
) -> st.SearchStrategy[CollectionDraft]:
    """Drafts breaking one rule: title empty, blank or too long, description too long, or
    movies."""
    valid = collection_drafts(limits)
    return st.one_of(
        valid.map(lambda draft: replace(draft, title="")),
        st.builds(replace, valid, title=st.text(" \t\n\u3000", min_size=1, max_size=5)),
        st.builds(replace, valid, title=_too_long(limits.title_max)),
        st.builds(replace, valid, description=_too_long(limits.description_max)),
        st.builds(replace, valid, movies=_bad_movie_lists(limits)),
    )


def invalid_collection_changes(
    limits: Limits = DEFAULT_LIMITS,
) -> st.SearchStrategy[CollectionChanges]:
    """Partial updates with at least one given field that breaks a rule."""
    return invalid_collection_drafts(limits).map(
        lambda draft: CollectionChanges(
            title=draft.title, description=draft.description, movies=draft.movies
        )
    )
