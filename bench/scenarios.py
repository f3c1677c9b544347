"""What each scenario sends, built from the seeded data."""

from __future__ import annotations

import json
import os
from collections.abc import Callable

from .load import Request
from .seed import PASSWORD, Dataset, collection_body

JSON = "Content-Type: application/json"
CATALOG_PAGES = 20
NEW_SEARCHES = 2000
"""More different searches than the service keeps (1,000), so each is searched afresh."""
LOGIN_CONNECTIONS = 2 * (os.cpu_count() or 1)
"""Two logins per core: no core waits for its next bcrypt, and each login ends in time."""
SEARCHERS = 8
"""Clients doing new searches while /health/live/ is timed."""


def _auth(data: Dataset, user: str) -> str:
    return f"Authorization: Bearer {data.tokens[user]}"


def _bodies(data: Dataset) -> tuple[str, ...]:
    # Odd (3) against the writer's 10 collections: every pass changes every collection.
    return tuple(json.dumps(collection_body(data.movies, number)) for number in range(3))


def _listing(user: str) -> Callable[[Dataset], Request]:
    return lambda data: Request("GET", ("/collections/",), (_auth(data, user),))


SCENARIOS: dict[str, Callable[[Dataset], Request]] = {
    "request-count": lambda data: Request("GET", ("/request-count/",), (_auth(data, "few"),)),
    "collections-few": _listing("few"),
    "collections-many": _listing("many"),
    "collection": lambda data: Request(
        "GET",
        tuple(f"/collections/{uuid}/" for uuid in data.collections["few"]),
        (_auth(data, "few"),),
    ),
    "create": lambda data: Request(
        "POST", ("/collections/",), (_auth(data, "writer"), JSON), _bodies(data)
    ),
    "update": lambda data: Request(
        "PUT",
        tuple(f"/collections/{uuid}/" for uuid in data.collections["writer"]),
        (_auth(data, "writer"), JSON),
        _bodies(data),
    ),
    "movies": lambda data: Request(
        "GET",
        tuple(f"/movies/?page={page}" for page in range(1, CATALOG_PAGES + 1)),
        (_auth(data, "few"),),
    ),
}


def search_new(data: Dataset) -> Request:
    """Searches for title numbers, each asked once per pass."""
    paths = tuple(f"/movies/?search={number}" for number in range(1, NEW_SEARCHES + 1))
    return Request("GET", paths, (_auth(data, "few"),))


SCENARIOS["search-new"] = search_new


def login() -> Request:
    """A login of the user seeded first."""
    body = json.dumps({"username": "bench-few", "password": PASSWORD})
    return Request("POST", ("/login/",), (JSON,), (body,))


def live() -> Request:
    """The liveness probe, which must stay quick whatever else the worker does."""
    return Request("GET", ("/health/live/",))
