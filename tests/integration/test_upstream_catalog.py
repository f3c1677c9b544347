"""UpstreamCatalog over real HTTP against the fake upstream: pages, retries and every failure."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from pathlib import Path

import httpx
import pytest

from adapters.upstream import BreakerState, CircuitBreaker, RetryPolicy, UpstreamCatalog
from adapters.upstream.wire import MalformedAnswer
from fixtures.upstream import (
    FAST,
    FakeUpstreams,
    UpstreamOptions,
    synthetic_entries,
    synthetic_movies,
)
from moviecore import CatalogPage, CatalogUnavailable
from moviecore.testing import ManualClock


def expected_page(movies: int, seed: int, number: int) -> CatalogPage:
    """Page ``number`` of the fake's synthetic catalog, as a Catalog should answer it."""
    return CatalogPage(
        movies=tuple(synthetic_movies(movies, seed)[(number - 1) * 10 : number * 10]),
        count=movies,
        page=number,
        has_next=number * 10 < movies,
    )


@pytest.mark.anyio
async def test_pages_come_through_whole(fake_upstream: FakeUpstreams) -> None:
    """The first, last and a past-the-end page read as the upstream holds them."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=5))

    async with upstream.catalog() as catalog:
        pages = [await catalog.page(n) for n in (1, 5, 6)]

    past_the_end = CatalogPage(movies=(), count=45, page=6, has_next=False)
    assert pages == [expected_page(45, 5, 1), expected_page(45, 5, 5), past_the_end]


@pytest.mark.anyio
async def test_every_read_succeeds_when_a_third_of_answers_fail(
    fake_upstream: FakeUpstreams,
) -> None:
    """With 30% of answers failing (errors, dropped connections, bad pages), 50 page reads
    all succeed, through retries."""
    # No hangs: they are tested on their own below, and only a hang needs the per-try
    # timeout, which a busy machine could then reach on a healthy answer too.
    options = UpstreamOptions(
        movies=500, seed=2, failure_rate=0.3, failures=("error", "drop", "malformed")
    )
    upstream = await fake_upstream(options)
    patient = RetryPolicy(per_try=5.0, deadline=60.0, backoff_base=0.01, backoff_cap=0.1)

    async with upstream.catalog(retry=patient) as catalog:
        pages = await asyncio.gather(*(catalog.page(n) for n in range(1, 51)))

    assert pages == [expected_page(500, 2, n) for n in range(1, 51)]
    assert await upstream.hits() > 50


@pytest.mark.anyio
async def test_refused_credentials_fail_at_once(fake_upstream: FakeUpstreams) -> None:
    """A wrong password is a CatalogUnavailable naming the refusal, after one single request."""
    upstream = await fake_upstream()

    async with upstream.catalog(password="wrong") as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    assert str(raised.value) == "the upstream catalog refused the credentials (HTTP 401)"
    assert await upstream.hits() == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "cause"),
    [
        ("malformed", MalformedAnswer),
        ("oversized", MalformedAnswer),
        ("hang", TimeoutError),
        ("drop", httpx.RemoteProtocolError),
    ],
)
async def test_a_failing_upstream_is_retried_then_unavailable(
    fake_upstream: FakeUpstreams, failure: str, cause: type[Exception]
) -> None:
    """An upstream failing every answer in one way is retried, then reported unavailable."""
    upstream = await fake_upstream(UpstreamOptions(failure_rate=1.0, failures=(failure,)))

    async with upstream.catalog() as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    assert type(raised.value.__cause__) is cause
    assert await upstream.hits() > 1


@pytest.mark.anyio
async def test_server_errors_are_retried_then_unavailable(fake_upstream: FakeUpstreams) -> None:
    """An upstream answering only 5xx is retried, then reported unavailable with the status."""
    upstream = await fake_upstream(UpstreamOptions(failure_rate=1.0, failures=("error",)))

    async with upstream.catalog() as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    statuses = {f"the upstream catalog answered HTTP {status}" for status in (500, 502, 503)}
    assert str(raised.value.__cause__) in statuses
    assert await upstream.hits() > 1


@pytest.mark.anyio
async def test_an_oversized_answer_is_cut_off(fake_upstream: FakeUpstreams) -> None:
    """A 2 MiB answer is refused at the 1 MiB cap, as a malformed answer."""
    upstream = await fake_upstream(UpstreamOptions(failure_rate=1.0, failures=("oversized",)))

    async with upstream.catalog() as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    assert str(raised.value.__cause__) == "an answer over the 1048576 byte cap"


@pytest.mark.anyio
async def test_a_wrong_url_is_unavailable_without_retries(fake_upstream: FakeUpstreams) -> None:
    """A URL where the upstream has no catalog is a CatalogUnavailable that says so."""
    upstream = await fake_upstream()

    async with httpx.AsyncClient() as client:
        catalog = UpstreamCatalog(client, f"{upstream.base}/nothing/", breaker=CircuitBreaker())
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    assert str(raised.value) == "the upstream catalog has no page 1: check its URL"


@pytest.mark.anyio
async def test_an_unreachable_upstream_is_unavailable(fake_upstream: FakeUpstreams) -> None:
    """An upstream that is down makes reads fail with CatalogUnavailable by the deadline."""
    upstream = await fake_upstream.own()
    await upstream.stop()

    async with upstream.catalog(retry=FAST) as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    assert type(raised.value.__cause__) is httpx.ConnectError


@pytest.mark.anyio
async def test_movies_that_cannot_be_served_are_left_out_of_their_page(
    fake_upstream: FakeUpstreams, tmp_path: Path
) -> None:
    """Null or missing fields are served empty; movies without uuid or title are left out."""
    entries = synthetic_entries(10, seed=1)
    entries[1] = {**entries[1], "description": None, "genres": None}
    del entries[2]["genres"]
    entries[3] = {**entries[3], "uuid": "not-a-uuid"}
    entries[4] = {**entries[4], "title": None}
    entries[5] = "a string where a movie belongs"
    data = tmp_path / "movies.json"
    data.write_text(json.dumps(entries), encoding="utf-8")
    upstream = await fake_upstream(UpstreamOptions(data=data))

    async with upstream.catalog() as catalog:
        page = await catalog.page(1)

    movies = expected_page(10, 1, 1).movies
    assert (page, catalog.left_out, await upstream.hits()) == (
        CatalogPage(
            movies=(
                movies[0],
                replace(movies[1], description="", genres=""),
                replace(movies[2], genres=""),
                *movies[6:],
            ),
            count=10,
            page=1,
            has_next=False,
        ),
        3,
        1,
    )


@pytest.mark.anyio
@pytest.mark.parametrize("quirk", ["html", "not-object", "results-not-list"])
async def test_a_page_that_cannot_be_read_fails_alone(
    fake_upstream: FakeUpstreams, quirk: str
) -> None:
    """An unreadable page fails after 3 tries without opening even a 1-failure breaker."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=5, quirks=(f"3={quirk}",)))
    breaker = CircuitBreaker(failure_threshold=1)

    async with upstream.catalog(breaker=breaker) as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(3)
        hits = await upstream.hits()
        neighbour = await catalog.page(2)

    assert (str(raised.value), raised.value.retry_after, hits) == (
        "the upstream catalog sent page 3 in a form that cannot be read",
        10,
        3,
    )
    assert (neighbour, breaker.state) == (expected_page(45, 5, 2), BreakerState.CLOSED)


@pytest.mark.anyio
async def test_a_count_in_text_and_wrong_numbers_of_movies_are_served(
    fake_upstream: FakeUpstreams,
) -> None:
    """A count sent as text is read; 9 movies are served as 9, and 11 as the first 10."""
    quirks = ("1=count-text", "2=short", "3=long")
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=5, quirks=quirks))

    async with upstream.catalog() as catalog:
        pages = [await catalog.page(n) for n in (1, 2, 3)]

    short = expected_page(45, 5, 2)
    assert pages == [
        expected_page(45, 5, 1),
        replace(short, movies=short.movies[:9]),
        expected_page(45, 5, 3),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("path", ["/movies", "/hop/3/movies/"])
async def test_redirects_on_the_same_host_are_followed(
    fake_upstream: FakeUpstreams, path: str
) -> None:
    """A URL without its slash, or three redirects away, still reads pages with the credentials."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=5))

    async with upstream.catalog(path=path) as catalog:
        page = await catalog.page(2)

    assert page == expected_page(45, 5, 2)


@pytest.mark.anyio
async def test_a_fourth_redirect_is_not_followed(fake_upstream: FakeUpstreams) -> None:
    """A chain of four redirects fails at once, saying so, and does not open the breaker."""
    upstream = await fake_upstream()
    breaker = CircuitBreaker(failure_threshold=1)

    async with upstream.catalog(path="/hop/4/movies/", breaker=breaker) as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(2)

    assert (str(raised.value), await upstream.hits(), breaker.state) == (
        "the upstream catalog redirected more than 3 times",
        4,
        BreakerState.CLOSED,
    )


@pytest.mark.anyio
async def test_a_redirect_to_another_host_is_refused_and_never_sent(
    fake_upstream: FakeUpstreams,
) -> None:
    """A redirect to another host fails naming it, and that host receives nothing at all."""
    elsewhere = await fake_upstream()
    target = f"http://localhost:{elsewhere.port}/movies/"
    upstream = await fake_upstream(UpstreamOptions(away=target))

    async with upstream.catalog(path="/away/movies/") as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(2)

    assert str(raised.value) == (
        f"the upstream catalog redirected to {target}, outside http://127.0.0.1:{upstream.port}:"
        " set EXTERNAL_MOVIES_API_URL to the new address if it is trusted"
    )
    assert (await upstream.hits(), await elsewhere.hits()) == (1, 0)


@pytest.mark.anyio
async def test_a_429_holds_every_call_for_its_retry_after(fake_upstream: FakeUpstreams) -> None:
    """After a 429 asking for 120 s, no call goes out for 119 s; at 120 s one does."""
    upstream = await fake_upstream.own(UpstreamOptions(quirks=("*=throttle",), retry_after=120))
    clock = ManualClock()
    breaker = CircuitBreaker(clock=clock)

    async with upstream.catalog(breaker=breaker) as catalog:
        with pytest.raises(CatalogUnavailable) as throttled:
            await catalog.page(1)
        clock.advance(119.0)
        with pytest.raises(CatalogUnavailable) as held:
            await catalog.page(2)
        hits_while_held = await upstream.hits()
        await upstream.stop()
        await upstream.start(replace(upstream.options, quirks=()))
        clock.advance(1.0)
        page = await catalog.page(2)

    assert (str(throttled.value), throttled.value.retry_after) == (
        "the upstream catalog asked for 120 s without calls (HTTP 429)",
        120,
    )
    assert (held.value.retry_after, hits_while_held, await upstream.hits()) == (1, 1, 1)
    assert page == expected_page(45, 1, 2)
