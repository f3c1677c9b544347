"""The upstream catalog's JSON format, decoded strictly: anything off is MalformedAnswer.

The upstream is untrusted. A page must be a JSON object whose ``count`` is a
non-negative integer and whose ``results`` hold exactly the movies that page
number should hold, each with a valid UUID and string fields. Unknown fields
(``next``, ``previous``) are ignored: our own links are built from the page number.
"""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

import msgspec

from moviecore import CatalogPage, Movie

PAGE_SIZE = 10


class MalformedAnswer(Exception):
    """The upstream answered something that is not a page of the catalog."""


class UpstreamMovie(msgspec.Struct, frozen=True):
    """One entry of ``results``, as the upstream sends it."""

    uuid: UUID
    title: str
    description: str
    genres: str


class UpstreamPage(msgspec.Struct, frozen=True):
    """A whole answer of the upstream, without the links we never follow."""

    count: Annotated[int, msgspec.Meta(ge=0)]
    results: list[UpstreamMovie]


_decoder = msgspec.json.Decoder(UpstreamPage)


def expected_size(number: int, count: int, page_size: int = PAGE_SIZE) -> int:
    """How many movies page ``number`` holds in a catalog of ``count`` movies."""
    return max(0, min(page_size, count - (number - 1) * page_size))


def decode_page(body: bytes, number: int, page_size: int = PAGE_SIZE) -> CatalogPage:
    """Page ``number`` from the upstream's answer ``body``; MalformedAnswer if it is not one."""
    try:
        answer = _decoder.decode(body)
    except msgspec.DecodeError as exc:  # ValidationError is a DecodeError too
        raise MalformedAnswer(f"page {number}: {exc}") from exc
    expected = expected_size(number, answer.count, page_size)
    if len(answer.results) != expected:
        message = f"page {number}: {len(answer.results)} movies where {expected} belong"
        raise MalformedAnswer(f"{message} (count {answer.count})")
    movies = tuple(Movie(m.uuid, m.title, m.description, m.genres) for m in answer.results)
    has_next = number * page_size < answer.count
    return CatalogPage(movies=movies, count=answer.count, page=number, has_next=has_next)
