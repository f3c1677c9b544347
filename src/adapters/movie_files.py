"""Movie lists read from files: the bundled catalog, and JSON or CSV files a user supplies.

A JSON file holds records in the upstream catalog's format, either as a bare list
``[{"uuid", "title", "description", "genres"}, ...]`` or as an object with that list under
``"results"``. A CSV file has a header row naming those four columns, in any order, and
one movie per row. Records follow the catalog's one rule (see ``adapters.upstream.wire``):
text is fitted to the limits, and a record that cannot be served (no usable uuid or
title, a field of the wrong type, a uuid already read) is rejected, with every field
at fault: ``results[3]`` in JSON, ``line 5`` in CSV (the line the row starts on; the
header is line 1). A file that is not a catalog at all is refused whole with a
ValidationError on the field ``file`` (or ``header``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any
from uuid import UUID

import msgspec

from adapters.upstream.wire import UNREADABLE, UpstreamMovie, movie_of
from moviecore import FieldError, Limits, Movie, ValidationError
from moviecore.ports import DEFAULT_LIMITS

GENRES = frozenset(
    {
        "Action",
        "Adventure",
        "Animation",
        "Comedy",
        "Crime",
        "Documentary",
        "Drama",
        "Family",
        "Fantasy",
        "History",
        "Horror",
        "Music",
        "Mystery",
        "Romance",
        "Science Fiction",
        "Thriller",
        "War",
        "Western",
    }
)
"""The genre vocabulary of the bundled catalog (and of the fake upstream's movies)."""

MAX_ERRORS = 20
"""At most this many rejected records are named; a file that bad needs fixing as a whole."""

_COLUMNS = ("uuid", "title", "description", "genres")
_STAND_INS = {"uuid": "00000000-0000-4000-8000-000000000000", "title": "stand-in"}
"""Valid values for the required fields, to check each field of a bad record on its own."""


class _Results(msgspec.Struct):
    """The upstream page shape: records under ``results``, other keys ignored."""

    results: list[msgspec.Raw]


# Records stay raw at first so that one bad record cannot cost the others.
_DOCUMENT_DECODER = msgspec.json.Decoder(list[msgspec.Raw] | _Results)

_Entry = tuple[str, object | FieldError]
"""Where a record is, and its fields as read (or why they could not be)."""


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record left out: where it is, and every error, named by field ("" for the record)."""

    where: str
    errors: tuple[FieldError, ...]


@dataclass(frozen=True, slots=True)
class MovieFile:
    """The movies of a file in file order; the first MAX_ERRORS records rejected, and how many."""

    movies: list[Movie]
    rejected: list[Rejected]
    rejected_count: int


def bundled_movies(limits: Limits = DEFAULT_LIMITS) -> list[Movie]:
    """The small catalog shipped with the package, read from the installed files."""
    data = resources.files("adapters").joinpath("movies.json").read_bytes()
    return _movies(_json_entries(data), limits).movies


def read_movies(path: Path, limits: Limits = DEFAULT_LIMITS) -> MovieFile:
    """The movies of a ``.json`` or ``.csv`` file; ValidationError if it is no catalog."""
    entries = _ENTRIES_BY_SUFFIX.get(path.suffix.lower())
    if entries is None:
        raise _file_error(f"must end in {' or '.join(sorted(_ENTRIES_BY_SUFFIX))}")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _file_error(f"cannot be read: {exc.strerror or exc}") from exc
    return _movies(entries(data), limits)


def write_csv(path: Path, movies: Iterable[Movie]) -> None:
    """Write ``movies`` to ``path`` as a CSV file that ``read_movies`` reads back."""
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(["uuid", "title", "description", "genres"])
        writer.writerows((m.uuid, m.title, m.description, m.genres) for m in movies)


def _json_entries(data: bytes) -> Iterator[_Entry]:
    try:
        document = _DOCUMENT_DECODER.decode(data)
    except UNREADABLE as exc:
        raise _file_error(f"is not valid JSON in the catalog format: {exc}") from exc
    records = document.results if isinstance(document, _Results) else document
    for index, raw in enumerate(records):
        where = f"results[{index}]"
        try:
            yield where, msgspec.json.decode(raw)
        except UNREADABLE as exc:
            yield where, FieldError("", str(exc))


def _csv_entries(data: bytes) -> Iterator[_Entry]:
    try:
        # utf-8-sig: spreadsheets often start their CSV exports with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"is not valid UTF-8 (byte {exc.start})") from exc
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(rows, []))
        line = rows.line_num + 1
        for row in rows:
            if row:
                yield f"line {line}", _csv_fields(header, row)
            line = rows.line_num + 1  # a quoted value may span lines
    except csv.Error as exc:
        raise _file_error(f"is not valid CSV (line {rows.line_num}): {exc}") from exc


def _header(names: list[str]) -> list[str]:
    missing = set(_COLUMNS).difference(name.strip() for name in names)
    if missing:
        columns = ", ".join(sorted(missing))
        raise ValidationError([FieldError("header", f"lacks the columns: {columns}")])
    return [name.strip() for name in names]


def _csv_fields(header: list[str], row: list[str]) -> dict[str, str] | FieldError:
    if len(row) != len(header):
        return FieldError("", f"has {len(row)} values but the header names {len(header)} columns")
    return dict(zip(header, row, strict=True))


def _movie(where: str, fields: object, limits: Limits) -> Movie | Rejected:
    """The movie of a record's ``fields``, or the record rejected with every error."""
    if isinstance(fields, FieldError):
        return Rejected(where, (fields,))
    movie = movie_of(where, partial(msgspec.convert, fields, UpstreamMovie), limits)
    if not isinstance(movie, FieldError):
        return movie
    errors = [movie]
    if isinstance(fields, dict):  # each field on its own, the others stood in for
        alone = [_alone(where, fields, name, limits) for name in _COLUMNS]
        errors = [error for error in alone if error is not None] or errors
    return Rejected(where, tuple(_within(where, error) for error in errors))


def _alone(where: str, fields: dict[Any, Any], name: str, limits: Limits) -> FieldError | None:
    trial: dict[Any, Any] = {key: value for key, value in _STAND_INS.items() if key != name}
    if name in fields:
        trial[name] = fields[name]
    checked = movie_of(where, partial(msgspec.convert, trial, UpstreamMovie), limits)
    return checked if isinstance(checked, FieldError) else None


def _within(where: str, error: FieldError) -> FieldError:
    """``error`` named within its record: ``title``, not ``line 3.title``."""
    return FieldError(error.field.removeprefix(where).removeprefix("."), error.message)


def _movies(entries: Iterable[_Entry], limits: Limits) -> MovieFile:
    movies: list[Movie] = []
    named: list[Rejected] = []
    rejected = 0
    first_seen: dict[UUID, str] = {}
    for where, fields in entries:
        movie = _movie(where, fields, limits)
        if isinstance(movie, Movie):
            first = first_seen.setdefault(movie.uuid, where)
            if first == where:
                movies.append(movie)
                continue
            movie = Rejected(where, (FieldError("uuid", f"repeats the uuid of {first}"),))
        rejected += 1
        if len(named) < MAX_ERRORS:
            named.append(movie)
    return MovieFile(movies=movies, rejected=named, rejected_count=rejected)


def _file_error(message: str) -> ValidationError:
    return ValidationError([FieldError("file", message)])


_ENTRIES_BY_SUFFIX: dict[str, Callable[[bytes], Iterator[_Entry]]] = {
    ".csv": _csv_entries,
    ".json": _json_entries,
}
