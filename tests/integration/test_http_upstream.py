"""The service over real HTTP with the upstream catalog behind it: pages, failures, shared cache.

Every test runs ``moviecore serve`` against a fake upstream process. A server
checks its health when it starts, and the health check reads catalog page 1, so
a server always starts with the upstream answering and page 1 in its cache;
failures are brought on after that by restarting the upstream differently.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path

import msgspec
import pytest

from fixtures.server import problem_body
from fixtures.upstream import FakeUpstreams, UpstreamOptions, fetch, serving, upstream_settings
from tools.fake_upstream import synthetic_catalog

PROBLEM_JSON = "application/problem+json"
UNAVAILABLE = "urn:moviecore:problem:unavailable"


def movies_of(options: UpstreamOptions, page: int) -> list[dict[str, str]]:
    """The movies the fake upstream holds on ``page``, as the service lists them."""
    movies = synthetic_catalog(options.movies, options.seed)[(page - 1) * 10 : page * 10]
    return [msgspec.to_builtins(movie) for movie in movies]


@pytest.mark.anyio
async def test_upstream_pages_link_to_this_service(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """Pages hold the upstream's movies and count, linked by this service's URLs, up to the last."""
    options = UpstreamOptions(movies=45, seed=7)
    upstream = await fake_upstream(options)
    with serving(tmp_path / "server", upstream_settings(upstream)) as service:
        middle, last, past = await fetch(
            service, ["/movies/?page=2", "/movies/?page=5", "/movies/?page=6"]
        )

    assert (middle.status_code, middle.json()) == (
        200,
        {
            "count": 45,
            "page": 2,
            "page_size": 10,
            "pages": 5,
            "next": service.link(3),
            "previous": service.link(1),
            "movies": movies_of(options, 2),
        },
    )
    assert (last.status_code, last.json()) == (
        200,
        {
            "count": 45,
            "page": 5,
            "page_size": 10,
            "pages": 5,
            "next": None,
            "previous": service.link(4),
            "movies": movies_of(options, 5),
        },
    )
    assert (past.status_code, past.headers["content-type"], problem_body(past)) == (
        404,
        PROBLEM_JSON,
        {
            "type": "urn:moviecore:problem:not-found",
            "title": "Not Found",
            "status": 404,
            "detail": "page 6 is past the last page",
        },
    )


@pytest.mark.anyio
async def test_cached_pages_outlive_the_upstream_and_others_are_503(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """With the upstream down, pages read before still answer 200; unread ones are 503s."""
    upstream = await fake_upstream.own(UpstreamOptions(movies=200))
    read_before = [f"/movies/?page={page}" for page in (1, 2, 3)]
    never_read = [f"/movies/?page={page}" for page in range(4, 14)]
    with serving(tmp_path / "server", upstream_settings(upstream)) as service:
        before = await fetch(service, read_before)
        await upstream.stop()
        after = await fetch(service, read_before)
        # Asked at once, so the failures add up quickly and the breaker stops the waiting.
        unread = await fetch(service, never_read, clients=len(never_read))

    assert [(r.status_code, r.json()) for r in after] == [(200, r.json()) for r in before]
    assert {
        (
            r.status_code,
            r.headers["content-type"],
            r.json()["type"],
            r.headers["retry-after"].isdigit(),
        )
        for r in unread
    } == {(503, PROBLEM_JSON, UNAVAILABLE, True)}


@pytest.mark.anyio
async def test_refused_credentials_are_a_503_that_says_so(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """Once the upstream refuses the service's credentials, a page is a 503 naming the refusal."""
    upstream = await fake_upstream.own()
    password = upstream.password
    with serving(tmp_path / "server", upstream_settings(upstream)) as service:
        await upstream.stop()
        upstream.password = "a rotated upstream password"  # the upstream changed it
        await upstream.start()
        (refused,) = await fetch(service, ["/movies/?page=2"])

    assert (refused.status_code, refused.headers["retry-after"], problem_body(refused)) == (
        503,
        "60",
        {
            "type": UNAVAILABLE,
            "title": "Service Unavailable",
            "status": 503,
            "detail": "the upstream catalog refused the credentials (HTTP 401)",
        },
    )
    assert (password in refused.text, upstream.password in refused.text) == (False, False)


@pytest.mark.anyio
async def test_servers_sharing_redis_share_the_page_cache(
    fake_upstream: FakeUpstreams, tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    """A page read through one server is served by another from Redis, without an upstream hit."""
    upstream = await fake_upstream(UpstreamOptions(movies=45))
    settings = upstream_settings(upstream, REDIS_URL=redis_url, REDIS_PREFIX=redis_prefix)
    with ExitStack() as stack:
        first = stack.enter_context(serving(tmp_path / "first", settings))
        second = stack.enter_context(serving(tmp_path / "second", settings))
        hits = [await upstream.hits()]
        (via_first,) = await fetch(first, ["/movies/?page=2"])
        hits.append(await upstream.hits())
        (via_second,) = await fetch(second, ["/movies/?page=2"])
        hits.append(await upstream.hits())

    assert [later - earlier for earlier, later in itertools.pairwise(hits)] == [1, 0]
    assert (via_second.status_code, via_second.json()) == (
        200,
        {**via_first.json(), "next": second.link(3), "previous": second.link(1)},
    )


@pytest.mark.anyio
async def test_a_thousand_requests_all_succeed_while_a_third_of_upstream_answers_fail(
    fake_upstream: FakeUpstreams, tmp_path: Path, record_property: Callable[[str, object], None]
) -> None:
    """1000 reads of pages 1 to 10 by 20 clients all answer 200 while 30% of upstream calls fail."""
    upstream = await fake_upstream.own(UpstreamOptions(movies=100))
    paths = [
        f"/movies/?page={page}" for page in itertools.islice(itertools.cycle(range(1, 11)), 1000)
    ]
    with serving(tmp_path / "server", upstream_settings(upstream)) as service:
        await upstream.stop()
        await upstream.start(replace(upstream.options, failure_rate=0.3, latency_ms=200))
        responses = await fetch(service, paths, clients=20)
        hits = await upstream.hits()

    record_property("upstream_hits", hits)
    print(f"1000 requests, {hits} upstream hits")  # shown with -s: the figure to report
    assert Counter(r.status_code for r in responses) == {200: 1000}
