"""The fake upstream over real HTTP: the upstream's format, auth, paging, data and hit counter."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx
import msgspec
import pytest

from adapters.upstream.wire import UpstreamMovie
from fixtures.upstream import ROOT, FakeUpstreams, RunningUpstream, UpstreamOptions
from tools.fake_upstream import synthetic_catalog


def _results(movies: list[UpstreamMovie]) -> list[dict[str, str]]:
    return [msgspec.to_builtins(movie) for movie in movies]


async def _get(
    upstream: RunningUpstream, query: str, password: str | None = None
) -> httpx.Response:
    auth = (upstream.username, password or upstream.password)
    async with httpx.AsyncClient(auth=auth) as client:
        return await client.get(f"{upstream.url}{query}")


@pytest.mark.anyio
async def test_a_page_is_ten_movies_with_links(fake_upstream: FakeUpstreams) -> None:
    """A middle page holds ten movies, the total count and links to its neighbours."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=7))

    response = await _get(upstream, "?page=2")

    assert (response.status_code, response.json()) == (
        200,
        {
            "count": 45,
            "next": f"{upstream.url}?page=3",
            "previous": f"{upstream.url}?page=1",
            "results": _results(synthetic_catalog(45, seed=7)[10:20]),
        },
    )


@pytest.mark.anyio
async def test_the_last_page_is_partial_and_past_it_is_404(fake_upstream: FakeUpstreams) -> None:
    """The last page holds the remainder without a next link; the page after it is a 404."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=7))

    last, past = await _get(upstream, "?page=5"), await _get(upstream, "?page=6")

    assert (last.status_code, last.json()["next"], len(last.json()["results"])) == (200, None, 5)
    assert (past.status_code, past.json()) == (404, {"detail": "Invalid page."})


@pytest.mark.anyio
async def test_wrong_credentials_are_401(fake_upstream: FakeUpstreams) -> None:
    """A wrong password is answered 401 with a basic-auth challenge."""
    upstream = await fake_upstream()

    response = await _get(upstream, "?page=1", password="wrong")

    assert (response.status_code, response.headers["www-authenticate"]) == (
        401,
        'Basic realm="api"',
    )


@pytest.mark.anyio
async def test_stats_count_every_catalog_request(fake_upstream: FakeUpstreams) -> None:
    """Every catalog request is a hit, refused ones included; reading the stats is not."""
    upstream = await fake_upstream()

    await _get(upstream, "?page=1")
    await _get(upstream, "?page=99")
    await _get(upstream, "?page=1", password="wrong")

    assert (await upstream.hits(), await upstream.hits()) == (3, 3)


@pytest.mark.anyio
async def test_serves_the_movies_of_a_data_file(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """With a data file, the catalog is exactly the movies in the file."""
    movies = synthetic_catalog(3, seed=99)
    data = tmp_path / "movies.json"
    data.write_bytes(msgspec.json.encode(movies))
    upstream = await fake_upstream(UpstreamOptions(data=data))

    response = await _get(upstream, "")

    assert response.json() == {
        "count": 3,
        "next": None,
        "previous": None,
        "results": _results(movies),
    }


def test_the_synthetic_catalog_depends_only_on_its_seed() -> None:
    """The same seed makes the same movies, and a bigger catalog extends a smaller one."""
    assert synthetic_catalog(52, seed=3)[:45] == synthetic_catalog(45, seed=3)
    assert synthetic_catalog(45, seed=3) != synthetic_catalog(45, seed=4)


@pytest.mark.anyio
async def test_a_full_failure_rate_fails_every_request(fake_upstream: FakeUpstreams) -> None:
    """At failure rate 1 with only server errors, every page is a 5xx."""
    upstream = await fake_upstream(UpstreamOptions(failure_rate=1.0, failures=("error",)))

    statuses = {(await _get(upstream, f"?page={n}")).status_code for n in range(1, 6)}

    assert statuses <= {500, 502, 503}


def test_help_shows_the_defaults_and_the_ways_to_fail() -> None:
    """``python -m tools.fake_upstream --help``, run from the clone's root as the README says,
    shows the port a demo points the service at and how to make the fake fail."""
    result = subprocess.run(
        [sys.executable, "-m", "tools.fake_upstream", "--help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    shown = [
        "--port PORT           port (default: 8001)",
        "share of catalog requests that fail, 0.0 to 1.0",
        "quirks (--quirk PAGE=KIND, PAGE a number or *): html, not-object,",
    ]
    assert (result.returncode, result.stderr, [line in result.stdout for line in shown]) == (
        0,
        "",
        [True, True, True],
    )
