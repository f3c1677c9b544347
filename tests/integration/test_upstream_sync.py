"""sync_catalog from the fake upstream into a MovieStore: every movie once, resumable."""

from __future__ import annotations

from dataclasses import replace

import pytest

from adapters.fake_upstream import synthetic_catalog
from adapters.upstream import RetryPolicy, sync_catalog
from fixtures.upstream import FakeUpstreams, UpstreamOptions
from moviecore import CatalogUnavailable, Movie, MovieStore
from moviecore.testing import MemoryMovieStore

PATIENT = RetryPolicy(per_try=0.3, deadline=8.0, backoff_base=0.01, backoff_cap=0.1)


class Interrupted(Exception):
    """Stands for whatever stops a sync half-way: a signal, a crash, a deploy."""


def _synthetic(movies: int, seed: int) -> list[Movie]:
    return [
        Movie(m.uuid, m.title, m.description, m.genres) for m in synthetic_catalog(movies, seed)
    ]


async def _stored(store: MovieStore) -> list[Movie]:
    movies: list[Movie] = []
    number = 1
    while True:
        page = await store.page(number)
        movies += page.movies
        if not page.has_next:
            return movies
        number += 1


@pytest.mark.anyio
async def test_sync_copies_every_movie_once_despite_failures(fake_upstream: FakeUpstreams) -> None:
    """With 30% of answers failing, the store ends with every movie once, in order."""
    upstream = await fake_upstream(UpstreamOptions(movies=95, seed=4, failure_rate=0.3))
    store = MemoryMovieStore()
    progress: list[tuple[int, int]] = []

    async with upstream.catalog(retry=PATIENT) as source:
        stored = await sync_catalog(
            source, store, progress=lambda done, total: progress.append((done, total))
        )

    assert (stored, await _stored(store)) == (95, _synthetic(95, seed=4))
    assert progress == [(page, 10) for page in range(1, 11)]


@pytest.mark.anyio
async def test_an_interrupted_sync_resumes_where_it_stopped(fake_upstream: FakeUpstreams) -> None:
    """A sync stopped after 4 pages is finished by the next run, reading each page once in all."""
    upstream = await fake_upstream(UpstreamOptions(movies=95, seed=4))
    store = MemoryMovieStore()

    def stop_after_page_4(done: int, total: int) -> None:
        if done == 4:
            raise Interrupted

    async with upstream.catalog() as source:
        with pytest.raises(Interrupted):
            await sync_catalog(source, store, progress=stop_after_page_4)
        halfway = await store.count()
        stored = await sync_catalog(source, store)

    assert (halfway, stored, await upstream.hits()) == (40, 95, 10)
    assert await _stored(store) == _synthetic(95, seed=4)


@pytest.mark.anyio
async def test_a_sync_resumes_into_a_partly_filled_last_page(fake_upstream: FakeUpstreams) -> None:
    """After the upstream grows from 45 to 52 movies, a new sync adds the 7 new ones only."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=8))
    store = MemoryMovieStore()
    async with upstream.catalog() as source:
        first = await sync_catalog(source, store)

    await upstream.stop()
    await upstream.start(replace(upstream.options, movies=52))
    async with upstream.catalog() as source:
        second = await sync_catalog(source, store)

    assert (first, second, await upstream.hits()) == (45, 52, 2)
    assert await _stored(store) == _synthetic(52, seed=8)


@pytest.mark.anyio
async def test_a_sync_without_upstream_fails_and_stores_nothing(
    fake_upstream: FakeUpstreams,
) -> None:
    """With the upstream down, the sync gives up after its tries with CatalogUnavailable."""
    upstream = await fake_upstream()
    await upstream.stop()
    store = MemoryMovieStore()

    async with upstream.catalog() as source:
        with pytest.raises(CatalogUnavailable):
            await sync_catalog(source, store, attempts=2, retry_pause=0.01)

    assert await store.count() == 0
