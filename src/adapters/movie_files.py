"""Movie lists read from files: the bundled catalog, and JSON or CSV files a user supplies.

A JSON file holds records in the upstream catalog's format, either as a bare list
``[{"uuid", "title", "description", "genres"}, ...]`` or as an object with that list under
``"results"``. A CSV file has a header row naming those four columns, in any order, and
one movie per row. Every bad record is reported at once (up to ``MAX_ERRORS``) in one
ValidationError whose fields name the record: ``results[3].uuid`` in JSON, and
``row[5].uuid`` in CSV, where rows are numbered as a spreadsheet shows them (the header
is row 1).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from importlib import resources
from pathlib import Path
from uuid import UUID

import msgspec

from moviecore import DEFAULT_LIMITS, FieldError, Limits, Movie, ValidationError, movie_errors

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
"""At most this many errors are reported; a file that bad needs fixing as a whole."""

_COLUMNS = frozenset({"uuid", "title", "description", "genres"})

# msgspec names the offending key in its messages; these pull it out for our field paths.
_MISSING_FIELD = re.compile(r"missing required field `(\w+)`")
_AT_FIELD = re.compile(r" - at `\$\.(\w+)`$")


class _Record(msgspec.Struct):
    """One movie as a file spells it, before the limits are applied."""

    uuid: UUID
    title: str
    description: str
    genres: str


class _Results(msgspec.Struct):
    """The upstream page shape: records under ``results``, other keys ignored."""

    results: list[msgspec.Raw]


# Records stay raw at first so that one bad record cannot hide the errors of the others.
_DOCUMENT_DECODER = msgspec.json.Decoder(list[msgspec.Raw] | _Results)
_RECORD_DECODER = msgspec.json.Decoder(_Record)

_Entry = tuple[str, _Record | FieldError]


def bundled_movies(limits: Limits = DEFAULT_LIMITS) -> list[Movie]:
    """The small catalog shipped with the package, read from the installed files."""
    data = resources.files("adapters").joinpath("movies.json").read_bytes()
    return _movies(_json_entries(data), limits)


def read_movies(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Movie]:
    """The movies of a ``.json`` or ``.csv`` file; ValidationError names every bad record."""
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
    except msgspec.DecodeError as exc:
        raise _file_error(f"is not valid JSON in the catalog format: {exc}") from exc
    records = document.results if isinstance(document, _Results) else document
    for index, raw in enumerate(records):
        where = f"results[{index}]"
        yield where, _parsed(where, partial(_RECORD_DECODER.decode, raw))


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
    return where, _parsed(where, partial(msgspec.convert, fields, _Record))


def _parsed(where: str, parse: Callable[[], _Record]) -> _Record | FieldError:
    try:
        return parse()
    except msgspec.ValidationError as exc:
        return _type_error(where, str(exc))


def _type_error(where: str, message: str) -> FieldError:
    if missing := _MISSING_FIELD.search(message):
        return FieldError(f"{where}.{missing[1]}", "is required")
    if at := _AT_FIELD.search(message):
        return FieldError(f"{where}.{at[1]}", message[: at.start()])
    return FieldError(where, message)


def _movies(entries: Iterable[_Entry], limits: Limits) -> list[Movie]:
    movies: list[Movie] = []
    errors: list[FieldError] = []
    first_seen: dict[UUID, str] = {}
    for where, entry in entries:
        if isinstance(entry, FieldError):
            errors.append(entry)
        else:
            movie = Movie(entry.uuid, entry.title, entry.description, entry.genres)
            errors += movie_errors(where, movie, limits)
            if (first := first_seen.setdefault(entry.uuid, where)) != where:
                errors.append(FieldError(f"{where}.uuid", f"repeats the uuid of {first}"))
            movies.append(movie)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise ValidationError(errors[:MAX_ERRORS])
    return movies


def _file_error(message: str) -> ValidationError:
    return ValidationError([FieldError("file", message)])


_ENTRIES_BY_SUFFIX: dict[str, Callable[[bytes], Iterator[_Entry]]] = {
    ".csv": _csv_entries,
    ".json": _json_entries,
}
