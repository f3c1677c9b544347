"""UpstreamCatalog over real HTTP against the fake upstream: pages, retries and every failure."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from adapters.fake_upstream import synthetic_catalog
from adapters.upstream import CircuitBreaker, RetryPolicy, UpstreamCatalog
from adapters.upstream.wire import MalformedAnswer
from fixtures.upstream import FAST, FakeUpstreams, UpstreamOptions
from moviecore import CatalogPage, CatalogUnavailable, Movie


def expected_page(movies: int, seed: int, number: int) -> CatalogPage:
    """Page ``number`` of the fake's synthetic catalog, as a Catalog should answer it."""
    catalog = synthetic_catalog(movies, seed)
    chosen = catalog[(number - 1) * 10 : number * 10]
    return CatalogPage(
        movies=tuple(Movie(m.uuid, m.title, m.description, m.genres) for m in chosen),
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
    """With 30% of answers failing in every way, 50 page reads all succeed, through retries."""
    options = UpstreamOptions(movies=500, seed=2, failure_rate=0.3)
    upstream = await fake_upstream(options)
    patient = RetryPolicy(per_try=0.3, deadline=8.0, backoff_base=0.01, backoff_cap=0.1)

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
    upstream = await fake_upstream()
    await upstream.stop()

    async with upstream.catalog(retry=FAST) as catalog:
        with pytest.raises(CatalogUnavailable) as raised:
            await catalog.page(1)

    assert type(raised.value.__cause__) is httpx.ConnectError
