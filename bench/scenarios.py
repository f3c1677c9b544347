"""What is measured: the configurations the service runs in, and the requests sent to it.

A scenario is one endpoint driven with one kind of request; the floors and the
uncounted request count are served by their own apps (see ``servers``), every
other scenario by the service itself. A twin is the service started again beside
it with a few settings changed, to measure what those settings cost.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode

from adapters.security import JwtTokenIssuer
from moviecore import search_words

from .loadgen import Request
from .seed import PASSWORD, Dataset, SeededUser, movie_bodies
from .servers import DB_FLOOR, FLOOR, SERVICE, UNCOUNTED

JWT_SECRET = "bench-secret-that-is-long-enough-for-hs256-keys"
_JSON = "Content-Type: application/json"
CATALOG_PAGES = 20
"""GET /movies/ cycles over this many pages, all in the cache after the warm-up."""
CORES = os.cpu_count() or 1
LOGIN_CONNECTIONS = 2 * CORES
"""Logins at once, in the login scenario and in the flood: two per core, so that no core
waits for its next bcrypt, and each login waits for about two (~0.5 s at cost 12, well
within wrk's time-out). At 64, each waited ~16 s, longer than a run, and none was done."""
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
class Twin:
    """The service again, beside a configuration's, with ``environment`` added to its
    settings. Each of ``scenarios`` is measured on it right after the configuration's
    run of the same one: back to back, the pair shows what the settings cost. Its rows
    are the configuration's name with ``suffix``."""

    suffix: str
    environment: Mapping[str, str]
    scenarios: tuple[str, ...]
    log: bool = True
    """Keep its output in the run's folder; else it goes to /dev/null."""
    connections: tuple[int, ...] | None = None
    """Only at these connection counts (None: at each the configuration runs)."""

    def runs(self, key: str, connections: int) -> bool:
        """Whether scenario ``key`` at ``connections`` is measured on this twin too."""
        return key in self.scenarios and (
            self.connections is None or connections in self.connections
        )


PREPARED = Twin("-prepared", {"DATABASE_PREPARE": "true"}, DATABASE_SCENARIOS)
"""Statements prepared on the server: what the pooler-safe default costs."""
JSON_LOG = Twin(
    "-json-log",
    {"LOG_FORMAT": "json", "ACCESS_LOG": "true"},
    ("request-count",),
    log=False,
    connections=(64,),  # a cost per request: one count is enough, and saves 12 s a twin
)
"""A JSON line per request, written to /dev/null: what the access log costs the service."""
METRICS_OFF = Twin("-metrics-off", {"METRICS": "false"}, ("request-count",), connections=(64,))
"""No metrics: what keeping them costs."""
SESSIONS_UNCACHED = Twin(
    "-sessions-uncached",
    {"SESSION_CACHE_MS": "0"},
    ("collections-few", "request-count"),
    connections=(64,),
)
"""Every request reads its session from the database: what trusting a session found live
for SESSION_CACHE_MS saves, and what revocation at once on every worker would cost."""


@dataclass(frozen=True, slots=True)
class Configuration:
    """One way to run the service: its storage, catalog and number of workers."""

    name: str
    workers: int
    postgres: bool
    catalog: str
    """``local`` (the database's catalog table) or ``upstream`` (the fake, through the cache)."""
    twins: tuple[Twin, ...] = ()
    only: tuple[str, ...] | None = None
    """The scenarios it runs (None: every one, and the login flood)."""


_LOCAL_CATALOG = ("floor-db-1", "movies")
"""What the local catalog on PostgreSQL adds to the upstream configurations: its pages
against the one-query floor (search reads the same table in both)."""

CONFIGURATIONS = (
    Configuration(
        "embedded-1w",
        1,
        postgres=False,
        catalog="local",
        twins=(JSON_LOG, METRICS_OFF, SESSIONS_UNCACHED),
    ),
    Configuration(
        "postgres-1w",
        1,
        postgres=True,
        catalog="upstream",
        twins=(PREPARED, JSON_LOG, METRICS_OFF, SESSIONS_UNCACHED),
    ),
    Configuration(
        "postgres-2w", 2, postgres=True, catalog="upstream", twins=(JSON_LOG, METRICS_OFF)
    ),
    Configuration("postgres-local-1w", 1, postgres=True, catalog="local", only=_LOCAL_CATALOG),
    Configuration("postgres-local-2w", 2, postgres=True, catalog="local", only=_LOCAL_CATALOG),
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
    warm_up: bool = True
    """Driven unmeasured first, for the run's warm-up seconds."""
    runs: int = 1
    """Measured for this many times the run's duration."""


def _bearer(tokens: JwtTokenIssuer, user: SeededUser) -> tuple[str, str]:
    return f"Authorization: Bearer {tokens.issue(user.session).access_token}", _JSON


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
    # Access tokens that outlive any run: the service's would expire within one.
    tokens = JwtTokenIssuer(JWT_SECRET, access_lifetime=timedelta(days=1))
    few = _bearer(tokens, dataset.user("few"))
    writer = _bearer(tokens, dataset.user("writer"))
    many = dataset.user("many")
    source = "upstream, cached" if configuration.catalog == "upstream" else "local"
    catalog_size = len(dataset.local_catalog)
    scenarios = [
        Scenario("floor", "floor: bare JSON", FLOOR, Request("GET", ("/floor/",))),
        *(
            Scenario(
                f"floor-db-{n}",
                f"DB floor: {n} x SELECT 1, service's pool",
                DB_FLOOR,
                Request("GET", (f"/floor/db-{n}/",)),
            )
            for n in ((1, 2) if configuration.postgres else ())
        ),
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
                Request("GET", ("/collections/",), _bearer(tokens, dataset.user(name))),
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
                _bearer(tokens, many),
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
        # No warm-up: the logins it left unanswered would keep bcrypt busy into the measured
        # run. Twice as long: a run loses the checks in progress at its end, one per core.
        Scenario(
            "login",
            "POST /login/",
            SERVICE,
            login_request(),
            connections=(LOGIN_CONNECTIONS,),
            warm_up=False,
            runs=2,
        ),
    ]
    wanted = configuration.only
    return {s.key: s for s in scenarios if wanted is None or s.key in wanted}


def login_request() -> Request:
    """A correct login of the ``few`` user: one bcrypt verification each."""
    body = json.dumps({"username": "bench-few", "password": PASSWORD})
    return Request("POST", ("/login/",), (_JSON,), (body,))
