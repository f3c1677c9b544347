"""The sizes a client may send, configurable, with the contract's defaults."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Limits:
    """Bounds on every field a client sends, and the size of a collections page."""

    username_max: int = 150
    password_min_bytes: int = 8
    password_max_bytes: int = 72
    title_max: int = 200
    description_max: int = 2000
    movies_max: int = 1000
    movie_title_max: int = 500
    movie_description_max: int = 10000
    genres_max: int = 500
    collections_page_size: int = 10
    search_max: int = 200


DEFAULT_LIMITS = Limits()

CATALOG_PAGE_SIZE = 10
"""Movies in one page of the catalog or of a search: the upstream API's page size, which
every catalog follows."""
