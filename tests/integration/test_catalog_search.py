"""Catalog search over HTTP, on both setups: 45,466 imported movies, validation, the upstream."""

from __future__ import annotations

import asyncio
import os
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from urllib.parse import urlencode

import anyio.to_thread
import httpx
import msgspec
import pytest

from adapters.movie_files import bundled_movies, write_csv
from fixtures.server import (
    ServerProcess,
    distributed_environment,
    moviecore_command,
    problem_of,
    register_user,
    run_server,
)
from fixtures.services import fresh_redis_prefix, migrated_database
from fixtures.upstream import FakeUpstreams, UpstreamOptions
from moviecore import Movie
from moviecore.ports import MovieQuery
from moviecore.testing import MemoryMovieStore, reference_search, sample_catalog
from tools.fake_upstream import synthetic_catalog

CATALOG_SIZE = 45_466
"""As many movies as the original upstream holds."""
PROBLEM_JSON = "application/problem+json"


def moviecore(
    data_dir: Path, *arguments: str, settings: Mapping[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``moviecore ARGUMENTS`` with ``settings`` in ``data_dir``, as an operator would."""
    data_dir.mkdir(parents=True, exist_ok=True)
    return subprocess.run(
        [*moviecore_command(), *arguments],
        env={**os.environ, "DATA_DIR": str(data_dir), **settings},
        cwd=data_dir,  # so that no stray .env file is read
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@contextmanager
def storage_settings(setup: str) -> Iterator[dict[str, str]]:
    """The settings of the embedded default, or of PostgreSQL and Redis with two workers."""
    if setup == "embedded":
        yield {}
        return
    with migrated_database() as url, fresh_redis_prefix() as prefix:
        yield distributed_environment(url, prefix, workers=2)


def expected_body(
    found: Sequence[Movie], base_url: str, search: str, genre: str, page: int
) -> dict[str, object]:
    """What ``GET /movies/`` answers on ``page`` of a search that finds ``found``, in order."""
    asked = {"search": search, **({"genre": genre} if genre else {})}

    def link(number: int) -> str:
        return f"{base_url}/movies/?{urlencode({'page': number, **asked})}"

    return {
        "count": len(found),
        "page": page,
        "page_size": 10,
        "pages": max(1, -(-len(found) // 10)),
        "next": link(page + 1) if page * 10 < len(found) else None,
        "previous": link(page - 1) if page > 1 else None,
        "movies": [msgspec.to_builtins(movie) for movie in found[(page - 1) * 10 : page * 10]],
    }


def every_match(catalog: MemoryMovieStore, search: str, genre: str) -> tuple[Movie, ...]:
    """Everything the search finds in ``catalog`` (of one page as big as itself), in order."""
    query = MovieQuery.of(search, genre.strip() or None)
    return asyncio.run(catalog.search(query, 1)).movies


@contextmanager
def serving(
    data_dir: Path, settings: Mapping[str, str]
) -> Iterator[tuple[ServerProcess, httpx.Client, dict[str, str]]]:
    """A server with ``settings``, a client of it and a registered user's Authorization."""
    with (
        contextmanager(run_server)(data_dir, settings) as server,
        httpx.Client(base_url=server.base_url, timeout=30) as http,
    ):
        yield server, http, register_user(http)


@pytest.fixture(scope="module")
def generated_catalog(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Movie]]:
    """A CSV file of 45,466 made-up movies in many scripts, and those movies."""
    movies = sample_catalog(CATALOG_SIZE, seed=16)
    path = tmp_path_factory.mktemp("catalog") / "movies.csv"
    write_csv(path, movies)
    return path, movies


@pytest.mark.parametrize("setup", ["embedded", "distributed"])
def test_a_45466_movie_catalog_is_imported_in_batches_and_searched(
    setup: str, generated_catalog: tuple[Path, list[Movie]], tmp_path: Path
) -> None:
    """An imported CSV of 45,466 movies is searched over HTTP by accentless, foreign-script,
    prefix and genre searches, each ranked and paged through its own links."""
    path, movies = generated_catalog
    # Ranked by the in-memory store, itself checked against the plain reference.
    oracle = MemoryMovieStore(movies, page_size=CATALOG_SIZE)
    searches = [
        ("amelie", ""),
        ("СТАЛКЕР 4", ""),
        ("東京物語", ""),
        ("night of the", " Drama "),
        (movies[12_345].title.lower()[:-1], ""),
    ]
    with storage_settings(setup) as settings:
        imported = moviecore(tmp_path, "catalog", "import", str(path), settings=settings)
        with serving(tmp_path, settings) as (server, http, auth):
            answers = []
            for search, genre in searches:
                first = http.get(
                    "/movies/", params={"search": search, "genre": genre}, headers=auth
                )
                second = http.get(first.json()["next"], headers=auth)
                answers.append((first.json(), second.json()))
    # Progress overwrites one line on a terminal; read as text, each shows as a line.
    assert (imported.returncode, imported.stdout, imported.stderr.splitlines()[-1]) == (
        0,
        f"moviecore: {path}: {CATALOG_SIZE} movies added, 0 replaced, 0 rejected;"
        f" the catalog holds {CATALOG_SIZE} movies\n",
        f"moviecore: {CATALOG_SIZE} of {CATALOG_SIZE} movies stored",
    ), imported.stderr
    assert answers == [
        (
            expected_body(found, server.base_url, search, genre, 1),
            expected_body(found, server.base_url, search, genre, 2),
        )
        for search, genre in searches
        for found in [every_match(oracle, search, genre)]
    ]


@pytest.mark.anyio
async def test_search_over_the_upstream_waits_for_catalog_sync(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """With an upstream catalog, search and reading one movie are a 409 naming ``catalog
    sync`` until the sync has copied the upstream; then they find the upstream's movies
    while pages still come from it."""
    options = UpstreamOptions(movies=45, seed=5)
    upstream = await fake_upstream(options)
    settings = {
        "EXTERNAL_MOVIES_API_URL": upstream.url,
        "API_USERNAME": upstream.username,
        "API_PASSWORD": upstream.password,
    }
    catalog = [
        Movie(uuid=m.uuid, title=m.title, description=m.description, genres=m.genres)
        for m in synthetic_catalog(options.movies, options.seed)
    ]
    search = {"search": "river", "genre": "Drama"}
    with serving(tmp_path, settings) as (server, http, auth):
        before = http.get("/movies/", params=search, headers=auth)
        one_before = http.get(f"/movies/{catalog[0].uuid}/", headers=auth)
        listing = http.get("/movies/", headers=auth)
        synced = await anyio.to_thread.run_sync(
            partial(moviecore, tmp_path, "catalog", "sync", settings=settings)
        )
        after = http.get("/movies/", params=search, headers=auth)
        one_after = http.get(f"/movies/{catalog[0].uuid}/", headers=auth)
    assert problem_of(one_before) == problem_of(before)
    assert (one_after.status_code, one_after.json()) == (
        200,
        {
            "uuid": str(catalog[0].uuid),
            "title": catalog[0].title,
            "description": catalog[0].description,
            "genres": catalog[0].genres,
        },
    )
    assert problem_of(before) == (
        409,
        PROBLEM_JSON,
        None,
        {
            "type": "urn:moviecore:problem:catalog-not-synced",
            "title": "Conflict",
            "status": 409,
            "detail": "search runs over the local copy of the upstream catalog, which is empty:"
            " run `moviecore catalog sync` to fill it",
        },
    )
    assert (listing.status_code, listing.json()["count"], synced.returncode) == (200, 45, 0)
    found = reference_search(catalog, search["search"], search["genre"])
    expected = expected_body(found, server.base_url, search["search"], search["genre"], 1)
    assert (after.status_code, after.json()) == (200, expected)


def test_a_search_over_200_characters_is_a_400_naming_it(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """A search of 201 characters is refused, naming the field; one of 200 is answered."""
    longest = client.get("/movies/", params={"search": "a" * 200}, headers=auth)
    too_long = client.get("/movies/", params={"search": "a" * 201}, headers=auth)
    message = "must be 0 to 200 characters long"
    assert (longest.status_code, problem_of(too_long)) == (
        200,
        (
            400,
            PROBLEM_JSON,
            None,
            {
                "type": "urn:moviecore:problem:validation-error",
                "title": "Bad Request",
                "status": 400,
                "detail": f"search: {message}",
                "errors": [{"field": "search", "message": message}],
            },
        ),
    )


def test_bad_search_parameters_are_400s_naming_them(
    client: httpx.Client, auth: dict[str, str]
) -> None:
    """A NUL character in the search and a genre list instead of one genre are refused."""
    answers = [
        client.get("/movies/", params=params, headers=auth).json()["errors"]
        for params in ({"search": "god\x00father"}, {"search": "war", "genre": "Drama, War"})
    ]
    assert answers == [
        [{"field": "search", "message": "must not contain NUL characters"}],
        [{"field": "genre", "message": "must name one genre, without commas"}],
    ]


def test_a_blank_search_is_the_plain_listing(client: httpx.Client, auth: dict[str, str]) -> None:
    """An empty or whitespace search answers the plain page, links and all."""
    plain = client.get("/movies/", params={"page": 2}, headers=auth).json()
    blank = [
        client.get("/movies/", params={"page": 2, "search": s}, headers=auth).json()
        for s in ("", "   ", "\t")
    ]
    assert blank == [plain, plain, plain]


def test_search_of_the_bundled_catalog_ranks_and_pages(
    client: httpx.Client, auth: dict[str, str], base_url: str
) -> None:
    """On the bundled catalog a word prefix finds its titles, best first; past the last page
    of matches is a 404."""
    found = reference_search(bundled_movies(), "the g")
    first = client.get("/movies/", params={"search": "the g"}, headers=auth)
    past = client.get("/movies/", params={"search": "the g", "page": 9}, headers=auth)
    assert (first.json(), past.status_code) == (
        expected_body(found, base_url, "the g", "", 1),
        404,
    )


def test_the_openapi_document_lists_the_search_parameters(client: httpx.Client) -> None:
    """The API document names page, search (at most 200 characters) and genre for GET /movies/."""
    document = client.get("/schema/openapi.json").json()
    parameters = document["paths"]["/movies/"]["get"]["parameters"]
    described = {p["name"]: p["schema"].get("maxLength") for p in parameters if p["in"] == "query"}
    assert described == {"page": None, "search": 200, "genre": None}
