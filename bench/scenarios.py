"""What is measured: the configurations the service runs in, and the requests sent to it.

A scenario is one endpoint driven with one kind of request; the floor and the
uncounted request count are served by their own apps (see ``servers``), every
other scenario by the service itself.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from urllib.parse import urlencode
from uuid import UUID

from adapters.security import JwtTokenIssuer
from moviecore import search_words

from .loadgen import Request
from .seed import PASSWORD, Dataset, movie_bodies
from .servers import FLOOR, SERVICE, UNCOUNTED

JWT_SECRET = "bench-secret-that-is-long-enough-for-hs256-keys"
_JSON = "Content-Type: application/json"
CATALOG_PAGES = 20
LOGIN_CONNECTIONS = 4
"""Enough logins at once to keep every worker's bcrypt thread busy, few enough to finish."""
"""GET /movies/ cycles over this many pages, all in the cache after the warm-up."""
SEARCHES = 50
"""GET /movies/?search= cycles over this many searches, which the service's cache keeps."""
COLD_SEARCHES = 2000
"""More different searches than the service keeps, so that each is searched afresh."""


DATABASE_SCENARIOS = (
    "collections-few",
    "collections-many",
    "collections-most",
    "collection",
    "create",
    "update",
)
"""The scenarios whose cost is mostly PostgreSQL's statements."""


@dataclass(frozen=True, slots=True)
class Configuration:
    """One way to run the service: its storage, catalog and number of workers."""

    name: str
    workers: int
    postgres: bool
    catalog: str
    """``local`` (the database's catalog table) or ``upstream`` (the fake, through the cache)."""
    prepared_twin: bool = False
    """Also measure DATABASE_SCENARIOS on a twin that prepares statements on the server
    (DATABASE_PREPARE=true), each right after this configuration's run of the same one:
    back to back, the pair shows what the pooler-safe default costs."""


CONFIGURATIONS = (
    Configuration("embedded-1w", 1, postgres=False, catalog="local"),
    Configuration("postgres-1w", 1, postgres=True, catalog="upstream", prepared_twin=True),
    Configuration("postgres-2w", 2, postgres=True, catalog="upstream"),
)


@dataclass(frozen=True, slots=True)
class Scenario:
    """One endpoint, the app serving it, and the requests wrk sends."""

    key: str
    label: str
    factory: str
    request: Request
    connections: tuple[int, ...] | None = None
    """Connection counts of its own, instead of the run's."""


def _bearer(tokens: JwtTokenIssuer, user_id: UUID) -> tuple[str, str]:
    return f"Authorization: Bearer {tokens.issue(user_id)}", _JSON


def _collection_bodies(dataset: Dataset, count: int, *, title: str) -> tuple[str, ...]:
    return tuple(
        json.dumps({"title": f"{title} {number}", "description": "Seen twice.", "movies": movies})
        for number, movies in enumerate(movie_bodies(dataset, count))
    )


def search_paths(dataset: Dataset, count: int) -> tuple[str, ...]:
    """``count`` different searches of people looking for one film each: the start (4
    letters or more) of the longest word of a title of the local catalog, without accents;
    an ideograph counts as a word of its own. Titles of short words only (``The Red Sun``)
    are not searched for: nobody looks for a film by ``the``."""
    rng = random.Random(count)
    typed: dict[str, None] = {}
    while len(typed) < count:
        word = max(search_words(rng.choice(dataset.local_catalog).title), key=len)
        if len(word) >= 4 or not word.isascii():
            typed[word[: rng.randint(min(4, len(word)), len(word))]] = None
    return tuple(f"/movies/?{urlencode({'search': search})}" for search in typed)


def build_scenarios(dataset: Dataset, configuration: Configuration) -> dict[str, Scenario]:
    """Every scenario of ``configuration``, by key, in the order they run."""
    tokens = JwtTokenIssuer(JWT_SECRET)
    few = _bearer(tokens, dataset.user("few").id)
    writer = _bearer(tokens, dataset.user("writer").id)
    many = dataset.user("many")
    source = "upstream, cached" if configuration.catalog == "upstream" else "local"
    catalog_size = len(dataset.local_catalog)
    scenarios = [
        Scenario("floor", "floor: bare JSON", FLOOR, Request("GET", ("/floor/",))),
        Scenario(
            "request-count-uncounted",
            "GET /request-count/ (counting off)",
            UNCOUNTED,
            Request("GET", ("/request-count/",), few),
        ),
        Scenario(
            "request-count",
            "GET /request-count/",
            SERVICE,
            Request("GET", ("/request-count/",), few),
        ),
        *(
            Scenario(
                f"collections-{name}",
                f"GET /collections/ ({len(dataset.user(name).collections):,} collections)",
                SERVICE,
                Request("GET", ("/collections/",), _bearer(tokens, dataset.user(name).id)),
            )
            for name in ("few", "many", "most")
        ),
        Scenario(
            "collection",
            "GET /collections/{uuid}/",
            SERVICE,
            Request(
                "GET",
                tuple(f"/collections/{c.uuid}/" for c in many.collections[:50]),
                _bearer(tokens, many.id),
            ),
        ),
        Scenario(
            "movies",
            f"GET /movies/ ({source})",
            SERVICE,
            Request("GET", tuple(f"/movies/?page={n}" for n in range(1, CATALOG_PAGES + 1)), few),
        ),
        Scenario(
            "movies-page-1",
            f"GET /movies/?page=1 ({source})",
            SERVICE,
            Request("GET", ("/movies/?page=1",), few),
        ),
        Scenario(
            "search",
            f"GET /movies/?search= ({SEARCHES} searches, {catalog_size:,} movies)",
            SERVICE,
            Request("GET", search_paths(dataset, SEARCHES), few),
        ),
        Scenario(
            "search-cold",
            f"GET /movies/?search= ({COLD_SEARCHES:,} searches, {catalog_size:,} movies)",
            SERVICE,
            Request("GET", search_paths(dataset, COLD_SEARCHES), few),
        ),
        Scenario(
            "create",
            "POST /collections/",
            SERVICE,
            Request(
                "POST", ("/collections/",), writer, _collection_bodies(dataset, 4, title="New")
            ),
        ),
        Scenario(
            "update",
            "PUT /collections/{uuid}/",
            SERVICE,
            Request(
                "PUT",
                tuple(f"/collections/{c.uuid}/" for c in dataset.user("writer").collections),
                writer,
                _collection_bodies(dataset, 2, title="Renamed"),
            ),
        ),
        # Logins queue for one bcrypt thread per worker (~0.25 s each at cost 12): at 64
        # connections each waited ~16 s, longer than a run, and none was ever done.
        Scenario(
            "login", "POST /login/", SERVICE, login_request(), connections=(LOGIN_CONNECTIONS,)
        ),
    ]
    return {scenario.key: scenario for scenario in scenarios}


def login_request() -> Request:
    """A correct login of the ``few`` user: one bcrypt verification each."""
    body = json.dumps({"username": "bench-few", "password": PASSWORD})
    return Request("POST", ("/login/",), (_JSON,), (body,))
