"""CachedCatalog in front of the fake upstream: fresh and stale pages, one fetch per cold page."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from adapters.upstream import (
    CachedCatalog,
    CachedPage,
    MemoryPageCache,
    PageCache,
    RedisPageCache,
    open_upstream_catalog,
)
from fixtures.server import free_port
from fixtures.upstream import FAST, FakeUpstreams, RunningUpstream, UpstreamOptions
from moviecore import CatalogPage, CatalogUnavailable
from moviecore.testing import ManualClock


@pytest.fixture
async def redis_client(redis_url: str) -> AsyncIterator[aioredis.Redis]:
    """A client of the test Redis, closed after the test."""
    client = aioredis.from_url(redis_url)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.mark.anyio
async def test_a_fresh_page_is_served_from_the_cache(fake_upstream: FakeUpstreams) -> None:
    """Reading a page twice within its freshness asks the upstream once."""
    upstream = await fake_upstream()

    async with upstream.catalog() as source:
        catalog = CachedCatalog(source, MemoryPageCache(), fresh_for=60, stale_for=60)
        first, second = await catalog.page(1), await catalog.page(1)

    assert (first == second, await upstream.hits()) == (True, 1)


@pytest.mark.anyio
async def test_stale_pages_stand_in_while_the_upstream_is_down(
    fake_upstream: FakeUpstreams,
) -> None:
    """With the upstream down, a cached page is served until its stale window ends; others fail."""
    upstream = await fake_upstream.own()
    clock = ManualClock()

    async with upstream.catalog() as source:
        cache = MemoryPageCache(clock=clock)
        catalog = CachedCatalog(source, cache, fresh_for=60, stale_for=60, clock=clock)
        cached = await catalog.page(1)
        await upstream.stop()
        clock.advance(100)
        stale = await catalog.page(1)
        with pytest.raises(CatalogUnavailable):
            await catalog.page(2)
        clock.advance(30)
        with pytest.raises(CatalogUnavailable):
            await catalog.page(1)

    assert stale == cached


async def _read_a_cold_page_twenty_times(upstream: RunningUpstream, cache: PageCache) -> None:
    async with upstream.catalog() as source:
        catalog = CachedCatalog(source, cache, fresh_for=60, stale_for=60)
        pages = await asyncio.gather(*(catalog.page(3) for _ in range(20)))
    assert (pages == [pages[0]] * 20, pages[0].page, await upstream.hits()) == (True, 3, 1)


@pytest.mark.anyio
async def test_concurrent_reads_of_a_cold_page_make_one_upstream_call(
    fake_upstream: FakeUpstreams,
) -> None:
    """Twenty clients reading the same uncached page at once cause a single upstream hit."""
    upstream = await fake_upstream(UpstreamOptions(latency_ms=200))

    await _read_a_cold_page_twenty_times(upstream, MemoryPageCache())


@pytest.mark.anyio
async def test_concurrent_reads_through_redis_make_one_upstream_call(
    fake_upstream: FakeUpstreams, redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    """With the page cache in Redis too, twenty concurrent reads of a cold page hit once."""
    upstream = await fake_upstream(UpstreamOptions(latency_ms=200))

    await _read_a_cold_page_twenty_times(upstream, RedisPageCache(redis_client, redis_prefix))


@pytest.mark.anyio
async def test_the_wired_catalog_serves_stale_pages_when_the_upstream_dies(
    fake_upstream: FakeUpstreams,
) -> None:
    """The wired catalog keeps answering a page it has read after the upstream dies."""
    upstream = await fake_upstream.own()

    async with open_upstream_catalog(
        upstream.url, upstream.username, upstream.password, fresh_for=0, stale_for=60, retry=FAST
    ) as catalog:
        before = await catalog.page(2)
        await upstream.stop()
        after = await catalog.page(2)

    assert (after, after.page) == (before, 2)


@pytest.mark.anyio
async def test_redis_shares_pages_between_instances(
    fake_upstream: FakeUpstreams, redis_url: str, redis_prefix: str
) -> None:
    """A page one instance fetched is served by another from Redis, even with the upstream down."""
    upstream = await fake_upstream.own()
    credentials = (upstream.url, upstream.username, upstream.password)

    async with (
        open_upstream_catalog(*credentials, redis_url=redis_url, key_prefix=redis_prefix) as one,
        open_upstream_catalog(*credentials, redis_url=redis_url, key_prefix=redis_prefix) as two,
        open_upstream_catalog(
            *credentials, redis_url=redis_url, key_prefix=redis_prefix, fresh_for=0, retry=FAST
        ) as three,
    ):
        first = await one.page(2)
        second = await two.page(2)
        hits = await upstream.hits()
        await upstream.stop()
        stale = await three.page(2)

    assert (second, stale, hits) == (first, first, 1)


@pytest.mark.anyio
async def test_a_redis_that_is_down_only_costs_the_caching(fake_upstream: FakeUpstreams) -> None:
    """With Redis unreachable every read still succeeds: the upstream once, then this process."""
    upstream = await fake_upstream()
    nowhere = f"redis://127.0.0.1:{free_port()}/0"

    async with open_upstream_catalog(
        upstream.url, upstream.username, upstream.password, redis_url=nowhere
    ) as catalog:
        pages = [await catalog.page(1), await catalog.page(1)]

    assert (pages[0] == pages[1], pages[0].page, await upstream.hits()) == (True, 1, 1)


@pytest.mark.anyio
async def test_an_unreadable_redis_entry_is_a_miss(
    fake_upstream: FakeUpstreams, redis_client: aioredis.Redis, redis_prefix: str
) -> None:
    """A garbled cache entry is fetched again from the upstream and replaced."""
    upstream = await fake_upstream()
    await redis_client.set(f"{redis_prefix}page:1", b'{"fetched_at": "yesterday"}')

    async with upstream.catalog() as source:
        cache = RedisPageCache(redis_client, redis_prefix)
        catalog = CachedCatalog(source, cache, fresh_for=60, stale_for=60)
        pages = [await catalog.page(1), await catalog.page(1)]

    assert (pages[0] == pages[1], pages[0].count, await upstream.hits()) == (True, 45, 1)


@pytest.mark.anyio
async def test_pages_past_the_known_count_cost_no_upstream_call(
    fake_upstream: FakeUpstreams,
) -> None:
    """Once page 1 told the count, 2,000 distinct pages past it are empty without a call."""
    upstream = await fake_upstream(UpstreamOptions(movies=40))

    async with upstream.catalog() as source:
        catalog = CachedCatalog(source, MemoryPageCache(), fresh_for=60, stale_for=60)
        await catalog.page(1)
        pages = await asyncio.gather(*(catalog.page(n) for n in range(1000, 3000)))

    assert ({(p.movies, p.count, p.has_next) for p in pages}, await upstream.hits()) == (
        {((), 40, False)},
        1,
    )


@pytest.mark.anyio
async def test_an_upstream_404_is_remembered_for_a_minute(fake_upstream: FakeUpstreams) -> None:
    """A page the count promises but the upstream lacks is asked once a minute, not per read."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, quirks=("*=overcount",)))
    clock = ManualClock()

    async with upstream.catalog() as source:
        catalog = CachedCatalog(
            source, MemoryPageCache(clock), fresh_for=300, stale_for=0, clock=clock
        )
        first = await catalog.page(7)
        hits = [await upstream.hits()]
        again = await catalog.page(7)
        hits.append(await upstream.hits())
        clock.advance(60)
        await catalog.page(7)
        hits.append(await upstream.hits())

    # page 7's 404, then page 1 for the count; a minute later the 404 alone.
    assert (first, again, hits) == (
        CatalogPage(movies=(), count=95, page=7, has_next=False),
        first,
        [2, 2, 3],
    )


@pytest.mark.anyio
async def test_the_memory_cache_keeps_at_most_its_bound() -> None:
    """A cache bounded to 3 pages forgets the oldest one put when a fourth arrives."""
    cache = MemoryPageCache(max_pages=3)
    entries = {
        n: CachedPage(CatalogPage(movies=(), count=0, page=n, has_next=False), fetched_at=0.0)
        for n in range(1, 5)
    }
    for number, entry in entries.items():
        await cache.put(number, entry, keep_for=60)

    assert [await cache.get(n) for n in range(1, 5)] == [None, entries[2], entries[3], entries[4]]
