"""Movie lists read from files: the bundled catalog, and JSON or CSV files a user supplies.

A JSON file holds records in the upstream catalog's format, either as a bare list
``[{"uuid", "title", "description", "genres"}, ...]`` or as an object with that list under
``"results"``. A CSV file has a header row naming those four columns, in any order, and
one movie per row. Records follow the catalog's one rule (see ``adapters.upstream.wire``):
text is fitted to the limits, and a record that cannot be served (no usable uuid or
title, a field of the wrong type, a uuid already read) is left out and named:
``results[3].uuid`` in JSON, ``row[5].uuid`` in CSV, where rows are numbered as a
spreadsheet shows them (the header is row 1). A file that is not a catalog at all is
refused whole with a ValidationError on the field ``file`` (or ``header``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from uuid import UUID

import msgspec

from adapters.upstream.wire import UNREADABLE, UpstreamMovie, movie_of
from moviecore import DEFAULT_LIMITS, FieldError, Limits, Movie, ValidationError

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
"""At most this many records left out are named; a file that bad needs fixing as a whole."""

_COLUMNS = frozenset({"uuid", "title", "description", "genres"})


class _Results(msgspec.Struct):
    """The upstream page shape: records under ``results``, other keys ignored."""

    results: list[msgspec.Raw]


# Records stay raw at first so that one bad record cannot cost the others.
_DOCUMENT_DECODER = msgspec.json.Decoder(list[msgspec.Raw] | _Results)
_RECORD_DECODER = msgspec.json.Decoder(UpstreamMovie)

_Entry = tuple[str, Callable[[], UpstreamMovie] | FieldError]


@dataclass(frozen=True, slots=True)
class MovieFile:
    """The movies of a file in file order; the first MAX_ERRORS records left out, and how many."""

    movies: list[Movie]
    left_out: list[FieldError]
    left_out_count: int


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
        yield f"results[{index}]", partial(_RECORD_DECODER.decode, raw)


def _csv_entries(data: bytes) -> Iterator[_Entry]:
    try:
        # utf-8-sig: spreadsheets often start their CSV exports with a byte-order mark.
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise _file_error(f"is not valid UTF-8 (byte {exc.start})") from exc
    rows = csv.reader(io.StringIO(text, newline=""))
    try:
        header = _header(next(rows, []))
        for number, row in enumerate(rows, start=2):
            if row:
                yield _csv_entry(f"row[{number}]", header, row)
    except csv.Error as exc:
        raise _file_error(f"is not valid CSV (line {rows.line_num}): {exc}") from exc


def _header(names: list[str]) -> list[str]:
    missing = _COLUMNS.difference(name.strip() for name in names)
    if missing:
        columns = ", ".join(sorted(missing))
        raise ValidationError([FieldError("header", f"lacks the columns: {columns}")])
    return [name.strip() for name in names]


def _csv_entry(where: str, header: list[str], row: list[str]) -> _Entry:
    if len(row) != len(header):
        message = f"has {len(row)} values but the header names {len(header)} columns"
        return where, FieldError(where, message)
    fields = dict(zip(header, row, strict=True))
    return where, partial(msgspec.convert, fields, UpstreamMovie)


def _movies(entries: Iterable[_Entry], limits: Limits) -> MovieFile:
    movies: list[Movie] = []
    left_out: list[FieldError] = []
    first_seen: dict[UUID, str] = {}
    for where, entry in entries:
        movie = entry if isinstance(entry, FieldError) else movie_of(where, entry, limits)
        if not isinstance(movie, FieldError):
            first = first_seen.setdefault(movie.uuid, where)
            if first == where:
                movies.append(movie)
                continue
            movie = FieldError(f"{where}.uuid", f"repeats the uuid of {first}")
        left_out.append(movie)
    return MovieFile(movies=movies, left_out=left_out[:MAX_ERRORS], left_out_count=len(left_out))


def _file_error(message: str) -> ValidationError:
    return ValidationError([FieldError("file", message)])


_ENTRIES_BY_SUFFIX: dict[str, Callable[[bytes], Iterator[_Entry]]] = {
    ".csv": _csv_entries,
    ".json": _json_entries,
}
