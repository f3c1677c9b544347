"""Checks of client input against Limits, collecting every broken rule at once."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._entities import Movie
from ._errors import FieldError, ValidationError
from ._limits import DEFAULT_LIMITS, Limits

_USERNAME = re.compile(r"[\w.@+-]+", re.ASCII)


def _length(field: str, value: str, low: int, high: int) -> list[FieldError]:
    if not low <= len(value) <= high:
        return [FieldError(field, f"must be {low} to {high} characters long")]
    if "\x00" in value:  # no database stores NUL in text; refuse it rather than fail later
        return [FieldError(field, "must not contain NUL characters")]
    return []


def _password(field: str, password: str, limits: Limits) -> list[FieldError]:
    size = len(password.encode("utf-8", "surrogatepass"))
    if not limits.password_min_bytes <= size <= limits.password_max_bytes:
        bounds = f"{limits.password_min_bytes} to {limits.password_max_bytes}"
        return [FieldError(field, f"must be {bounds} bytes in UTF-8")]
    return []


def check_credentials(username: str, password: str, limits: Limits) -> None:
    """Raise ValidationError unless the username and password fit the limits."""
    errors = _length("username", username, 1, limits.username_max)
    if username and not _USERNAME.fullmatch(username):
        errors.append(FieldError("username", "may hold only letters, digits and @.+-_"))
    errors += _password("password", password, limits)
    if errors:
        raise ValidationError(errors)


def check_new_password(password: str, limits: Limits) -> None:
    """Raise ValidationError, naming ``new_password``, unless it fits the limits."""
    if errors := _password("new_password", password, limits):
        raise ValidationError(errors)


def username_fits(username: str, limits: Limits) -> bool:
    """Whether an account could have been stored with this username (checked before any copy)."""
    return not _length("username", username, 1, limits.username_max)


def password_fits(password: str, limits: Limits) -> bool:
    """Whether an account could have been stored with this password."""
    return len(password.encode("utf-8", "surrogatepass")) <= limits.password_max_bytes


def movie_errors(at: str, movie: Movie, limits: Limits | None = None) -> list[FieldError]:
    """Every limit ``movie`` breaks, each named under the field path ``at``."""
    limits = limits or DEFAULT_LIMITS
    return [
        *_length(f"{at}.title", movie.title, 1, limits.movie_title_max),
        *_length(f"{at}.description", movie.description, 0, limits.movie_description_max),
        *_length(f"{at}.genres", movie.genres, 0, limits.genres_max),
    ]


def normalise_movie(movie: Movie, limits: Limits | None = None) -> Movie | None:
    """``movie`` as the catalog may serve it, so that a collection accepts it as served.

    NUL characters are removed and text longer than its limit is cut at the
    limit; everything else is kept as it is. None when the title is then empty:
    such a movie cannot be served.
    """
    limits = limits or DEFAULT_LIMITS
    title = _fitted(movie.title, limits.movie_title_max)
    if not title:
        return None
    return Movie(
        uuid=movie.uuid,
        title=title,
        description=_fitted(movie.description, limits.movie_description_max),
        genres=_fitted(movie.genres, limits.genres_max),
    )


def _fitted(text: str, limit: int) -> str:
    return text.replace("\x00", "")[:limit]


def check_collection(
    title: str | None,
    description: str | None,
    movies: tuple[Movie, ...] | None,
    limits: Limits,
) -> None:
    """Raise ValidationError unless every given field of a collection fits the limits."""
    errors = [] if title is None else _length("title", title, 1, limits.title_max)
    if title and title.isspace():  # kept as sent otherwise, white space included
        errors.append(FieldError("title", "must not be blank"))
    if description is not None:
        errors += _length("description", description, 0, limits.description_max)
    if movies is not None:
        errors += movie_list_errors(movies, limits)
    if errors:
        raise ValidationError(errors)


def movie_list_errors(movies: Sequence[Movie], limits: Limits) -> list[FieldError]:
    """Every limit a list of movies breaks: its length, and each movie's fields by index
    (``movies[2].title``), up to the longest list allowed."""
    errors = []
    if len(movies) > limits.movies_max:
        errors.append(FieldError("movies", f"may hold at most {limits.movies_max} movies"))
    for index, movie in enumerate(movies[: limits.movies_max]):
        errors += movie_errors(f"movies[{index}]", movie, limits)
    return errors


def check_search(search: str, genre: str, limits: Limits) -> None:
    """Raise ValidationError unless the search text and the genre asked for fit the limits."""
    errors = _length("search", search, 0, limits.search_max)
    errors += _length("genre", genre, 0, limits.genres_max)
    if "," in genre:
        errors.append(FieldError("genre", "must name one genre, without commas"))
    if errors:
        raise ValidationError(errors)


def unique_movies(movies: tuple[Movie, ...]) -> tuple[Movie, ...]:
    """The movies in order, keeping only the first of each uuid."""
    first: dict[object, Movie] = {}
    for movie in movies:
        first.setdefault(movie.uuid, movie)
    return tuple(first.values())
