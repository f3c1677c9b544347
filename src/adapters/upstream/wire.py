"""The upstream catalog's JSON format, decoded movie by movie: one bad movie costs only itself.

The upstream is untrusted. A page must be a JSON object with a ``count`` (a
non-negative integer, or a string of digits) and a ``results`` list; any other
answer is MalformedAnswer, a failure of that page only. Each entry of
``results`` is decoded on its own: a null or missing ``description`` or
``genres`` is served as ``""``; an entry with no usable uuid or title, or a
field of the wrong type, is left out and named. Every movie kept is fitted to
the collection limits by ``moviecore.ports.normalise_movie``, so that whatever the
catalog serves a collection accepts. Unknown fields (``next``, ``previous``) are
ignored: our own links are built from the page number.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from uuid import UUID

import msgspec

from moviecore import CatalogPage, FieldError, Limits, Movie
from moviecore.ports import CATALOG_PAGE_SIZE, DEFAULT_LIMITS, normalise_movie

PAGE_SIZE = CATALOG_PAGE_SIZE

# What msgspec may raise on hostile JSON besides DecodeError: nesting too deep to follow.
UNREADABLE = (msgspec.DecodeError, RecursionError, UnicodeDecodeError)

# msgspec names the offending key in its messages; these pull it out for the field paths.
_MISSING_FIELD = re.compile(r"missing required field `(\w+)`")
_AT_FIELD = re.compile(r" - at `\$\.(\w+)`$")


class MalformedAnswer(Exception):
    """The upstream answered something that is not a page of the catalog."""


class UpstreamMovie(msgspec.Struct, frozen=True):
    """One entry of ``results``, as the upstream sends it."""

    uuid: UUID
    title: str
    description: str | None = None
    genres: str | None = None


class _Envelope(msgspec.Struct, frozen=True):
    """A whole answer of the upstream, its movies still undecoded, without the links."""

    count: int | str
    results: list[msgspec.Raw]


_envelope_decoder = msgspec.json.Decoder(_Envelope)
_movie_decoder = msgspec.json.Decoder(UpstreamMovie)


@dataclass(frozen=True, slots=True)
class DecodedPage:
    """A page as served, the entries left out of it, and how many entries the upstream sent."""

    page: CatalogPage
    left_out: tuple[FieldError, ...]
    sent: int


def movie_of(
    where: str, parse: Callable[[], UpstreamMovie], limits: Limits = DEFAULT_LIMITS
) -> Movie | FieldError:
    """The movie ``parse`` reads, fitted to ``limits``; or why it cannot be served."""
    try:
        entry = parse()
    except msgspec.ValidationError as exc:
        return _field_error(where, str(exc))
    except UNREADABLE as exc:
        return FieldError(where, str(exc))
    movie = normalise_movie(
        Movie(
            uuid=entry.uuid,
            title=entry.title,
            description=entry.description or "",
            genres=entry.genres or "",
        ),
        limits,
    )
    return movie or FieldError(f"{where}.title", "is empty")


def decode_page(
    body: bytes, number: int, *, limits: Limits = DEFAULT_LIMITS, page_size: int = PAGE_SIZE
) -> DecodedPage:
    """Page ``number`` from the upstream's answer ``body``; MalformedAnswer if it is none.

    At most ``page_size`` entries are read: a page never grows past its size.
    """
    try:
        envelope = _envelope_decoder.decode(body)
    except UNREADABLE as exc:
        raise MalformedAnswer(f"page {number}: {exc}") from exc
    count = _count(envelope.count, number)
    movies: list[Movie] = []
    left_out: list[FieldError] = []
    for index, raw in enumerate(envelope.results[:page_size]):
        entry = movie_of(f"results[{index}]", partial(_movie_decoder.decode, raw), limits)
        if isinstance(entry, FieldError):
            left_out.append(entry)
        else:
            movies.append(entry)
    page = CatalogPage(
        movies=tuple(movies), count=count, page=number, has_next=number * page_size < count
    )
    return DecodedPage(page=page, left_out=tuple(left_out), sent=len(envelope.results))


def _count(value: int | str, number: int) -> int:
    if isinstance(value, str) and value.isascii() and value.isdecimal():
        return int(value)
    if isinstance(value, int) and value >= 0:
        return value
    raise MalformedAnswer(f"page {number}: the count {value!r} is not a number of movies")


def _field_error(where: str, message: str) -> FieldError:
    if missing := _MISSING_FIELD.search(message):
        return FieldError(f"{where}.{missing[1]}", "is required")
    if at := _AT_FIELD.search(message):
        return FieldError(f"{where}.{at[1]}", message[: at.start()])
    return FieldError(where, message)
