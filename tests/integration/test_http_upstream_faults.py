"""The service over real HTTP in front of an upstream that misbehaves, in both storage setups.

Each test runs ``moviecore serve`` on the embedded default and on PostgreSQL and
Redis with two workers, against a fake upstream process with bad movies, bad
pages, redirects or a 429. A server reads page 1 for its health check as it
starts, so page 1 and the upstream's count are known before a test begins.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from fixtures.server import problem_body
from fixtures.upstream import (
    FakeUpstreams,
    UpstreamOptions,
    fetch,
    serving,
    synthetic_entries,
    upstream_settings,
)

PROBLEM_JSON = "application/problem+json"
UNAVAILABLE = "urn:moviecore:problem:unavailable"
LEFT_OUT = re.compile(r"upstream page \d+: left out .*?(?= +\[adapters\.)")


def _unavailable(detail: str) -> dict[str, object]:
    return {"type": UNAVAILABLE, "title": "Service Unavailable", "status": 503, "detail": detail}


def _page_body(service_link: str, options: UpstreamOptions, page: int) -> dict[str, object]:
    last = -(-options.movies // 10)
    return {
        "count": options.movies,
        "page": page,
        "page_size": 10,
        "pages": last,
        "next": None if page == last else f"{service_link}?page={page + 1}",
        "previous": None if page == 1 else f"{service_link}?page={page - 1}",
        "movies": synthetic_entries(options.movies, options.seed)[(page - 1) * 10 : page * 10],
    }


@pytest.mark.anyio
async def test_every_movie_served_can_be_posted_into_a_collection(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Odd movies are fitted or left out (logged once a page), and each served one posts as is."""
    entries = synthetic_entries(20, seed=9)
    entries[0] = {**entries[0], "title": "T" * 600, "genres": "G" * 600}
    entries[1] = {**entries[1], "title": ""}
    entries[2] = {**entries[2], "title": "Nul\x00Title", "description": "x\x00y" * 6000}
    entries[3] = {**entries[3], "description": None}
    del entries[4]["genres"]
    entries[12] = {**entries[12], "uuid": "nope"}
    entries[13] = 42
    data = tmp_path / "movies.json"
    data.write_text(json.dumps(entries), encoding="utf-8")
    upstream = await fake_upstream(UpstreamOptions(data=data))

    with serving(tmp_path / "server", upstream_settings(upstream, **storage)) as service:
        served = await fetch(service, ["/movies/?page=1", "/movies/?page=2"] * 2)
        async with httpx.AsyncClient(
            base_url=service.server.base_url, headers=service.auth, timeout=30
        ) as http:
            posted = []
            for response in served[:2]:
                movies = response.json()["movies"]
                created = await http.post("/collections/", json={"title": "All", "movies": movies})
                stored = await http.get(f"/collections/{created.json()['collection_uuid']}/")
                posted.append((created.status_code, stored.json()["movies"] == movies))
        log = service.server.log()

    fitted = [
        {**entries[0], "title": "T" * 500, "genres": "G" * 500},
        {**entries[2], "title": "NulTitle", "description": ("xy" * 6000)[:10000]},
        {**entries[3], "description": ""},
        {**entries[4], "genres": ""},
        *entries[5:10],
    ]
    assert [r.status_code for r in served] == [200] * 4
    assert [r.json()["movies"] for r in served[:2]] == [fitted, [*entries[10:12], *entries[14:]]]
    assert posted == [(201, True), (201, True)]
    assert [re.sub(r" \(\d+ so far\)", "", found) for found in LEFT_OUT.findall(log)] == [
        "upstream page 1: left out 1 movies that cannot be served: results[1].title: is empty",
        "upstream page 2: left out 2 movies that cannot be served: results[2].uuid: Invalid UUID;"
        " results[3]: Expected `object`, got `int`",
    ]


@pytest.mark.anyio
async def test_pages_that_cannot_be_read_fail_alone(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Unreadable pages are 503s however often asked; the others, odd counts included, are 200s."""
    quirks = ("3=html", "4=not-object", "5=results-not-list", "6=count-text", "7=short", "8=long")
    options = UpstreamOptions(movies=100, seed=4, quirks=quirks)
    upstream = await fake_upstream(options)

    with serving(tmp_path / "server", upstream_settings(upstream, **storage)) as service:
        # 12 failing pages of 3 tries each: 36 failures, more than open the breaker (10).
        bad = await fetch(service, [f"/movies/?page={n}" for n in (3, 4, 5)] * 4)
        good = await fetch(service, [f"/movies/?page={n}" for n in (2, 6, 7, 8, 9)])

    link = f"{service.server.base_url}/movies/"
    short = _page_body(link, options, 7)
    assert [(r.status_code, r.headers["retry-after"], problem_body(r)) for r in bad] == [
        (
            503,
            "10",
            _unavailable(f"the upstream catalog sent page {n} in a form that cannot be read"),
        )
        for n in (3, 4, 5)
    ] * 4
    assert [(r.status_code, r.json()) for r in good] == [
        (200, _page_body(link, options, 2)),
        (200, _page_body(link, options, 6)),
        (200, {**short, "movies": short["movies"][:9]}),  # type: ignore[index]
        (200, _page_body(link, options, 8)),
        (200, _page_body(link, options, 9)),
    ]


def _apart(storage: dict[str, str], name: str) -> dict[str, str]:
    """``storage`` with a Redis prefix of its own, so that two servers share no page cache."""
    if "REDIS_PREFIX" not in storage:
        return storage
    return {**storage, "REDIS_PREFIX": f"{storage['REDIS_PREFIX']}{name}:"}


@pytest.mark.anyio
async def test_redirects_are_followed_on_the_same_host_only(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Three redirects on the upstream's host are followed; one to another host is a 503 naming it,
    and that host is never contacted."""
    elsewhere = await fake_upstream()
    target = f"http://localhost:{elsewhere.port}/movies/"
    options = UpstreamOptions(movies=45, seed=2, away=target)
    upstream = await fake_upstream(options)

    def settings(path: str) -> dict[str, str]:
        url = f"{upstream.base}{path}"
        return {
            **upstream_settings(upstream, **_apart(storage, path)),
            "EXTERNAL_MOVIES_API_URL": url,
        }

    with ExitStack() as stack:
        hops = stack.enter_context(serving(tmp_path / "hops", settings("/hop/3/movies/")))
        away = stack.enter_context(serving(tmp_path / "away", settings("/away/movies/")))
        (followed,) = await fetch(hops, ["/movies/?page=2"])
        (refused,) = await fetch(away, ["/movies/?page=2"])

    assert (followed.status_code, followed.json()) == (
        200,
        _page_body(f"{hops.server.base_url}/movies/", options, 2),
    )
    assert (refused.status_code, refused.headers["retry-after"], problem_body(refused)) == (
        503,
        "60",
        _unavailable(
            f"the upstream catalog redirected to {target}, outside {upstream.base}:"
            " set EXTERNAL_MOVIES_API_URL to the new address if it is trusted"
        ),
    )
    assert await elsewhere.hits() == 0


@pytest.mark.anyio
async def test_a_429_stops_the_calls_for_its_retry_after(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Reading pages one after another from an upstream answering 429 with Retry-After: 120
    calls it at most once from each worker; every page is a 503 with a Retry-After of 120 or
    less."""
    upstream = await fake_upstream(UpstreamOptions(quirks=("*=throttle",), retry_after=120))
    workers = int(storage.get("WORKERS", "1"))

    with serving(tmp_path / "server", upstream_settings(upstream, **storage)) as service:
        responses = await fetch(service, [f"/movies/?page={n}" for n in range(1, 5)] * 5)

    waits = {int(r.headers["retry-after"]) for r in responses}
    assert {(r.status_code, r.json()["type"]) for r in responses} == {(503, UNAVAILABLE)}
    assert (waits <= set(range(1, 121)), await upstream.hits() <= workers) == (True, True)


@pytest.mark.anyio
async def test_a_page_of_only_bad_movies_is_empty_not_the_end(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """A middle page whose every movie is left out answers 200 with no movies and its links,
    and the pages after it are still served."""
    entries: list[object] = list(synthetic_entries(30, seed=4))
    entries[10:20] = [{"uuid": "nope", "title": "Bad"}] * 10
    data = tmp_path / "movies.json"
    data.write_text(json.dumps(entries), encoding="utf-8")
    upstream = await fake_upstream(UpstreamOptions(data=data))

    with serving(tmp_path / "server", upstream_settings(upstream, **storage)) as service:
        middle, last = await fetch(service, ["/movies/?page=2", "/movies/?page=3"])

    link = f"{service.server.base_url}/movies/"
    assert (middle.status_code, middle.json(), last.status_code, len(last.json()["movies"])) == (
        200,
        {
            "count": 30,
            "page": 2,
            "page_size": 10,
            "pages": 3,
            "next": f"{link}?page=3",
            "previous": f"{link}?page=1",
            "movies": [],
        },
        200,
        10,
    )


@pytest.mark.anyio
async def test_two_thousand_pages_past_the_end_cost_no_upstream_call(
    fake_upstream: FakeUpstreams, storage: dict[str, str], tmp_path: Path
) -> None:
    """Pages 1000 to 2999 of a 40-movie upstream are 404s answered without asking it."""
    upstream = await fake_upstream(UpstreamOptions(movies=40))

    with serving(tmp_path / "server", upstream_settings(upstream, **storage)) as service:
        hits_before = await upstream.hits()
        responses = await fetch(
            service, [f"/movies/?page={n}" for n in range(1000, 3000)], clients=20
        )
        hits_after = await upstream.hits()

    assert Counter(r.status_code for r in responses) == {404: 2000}
    assert hits_after - hits_before == 0


@pytest.mark.anyio
async def test_links_use_the_public_url_whatever_the_host_header(
    storage: dict[str, str], tmp_path: Path
) -> None:
    """With PUBLIC_URL set, a forged Host header never shows in the next and previous links."""
    settings = {**storage, "PUBLIC_URL": "https://movies.example/api/"}

    with serving(tmp_path / "server", settings) as service:
        (page,) = await fetch(service, ["/movies/?page=2"], host="evil.example")

    body = page.json()
    assert (page.status_code, body["next"], body["previous"]) == (
        200,
        "https://movies.example/api/movies/?page=3",
        "https://movies.example/api/movies/?page=1",
    )
