"""sync_catalog from the fake upstream into a real SQLite store: every movie once, resumable."""

from __future__ import annotations

import itertools
import json
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import msgspec
import pytest

from adapters import sqlite
from adapters.movie_files import bundled_movies
from adapters.upstream import RetryPolicy
from fixtures.upstream import FakeUpstreams, RunningUpstream, UpstreamOptions, synthetic_movies
from moviecore import CatalogUnavailable, Movie
from moviecore.ports import MovieStore, SyncMark
from moviecore.sync import SyncProgress, SyncResult, sync_catalog
from tools.fake_upstream import synthetic_catalog

PATIENT = RetryPolicy(per_try=0.3, deadline=8.0, backoff_base=0.01, backoff_cap=0.1)


class Interrupted(Exception):
    """Stands for whatever stops a sync half-way: a signal, a crash, a deploy."""


async def _stored(store: MovieStore) -> list[Movie]:
    movies: list[Movie] = []
    number = 1
    while True:
        page = await store.page(number)
        movies += page.movies
        if not page.has_next:
            return movies
        number += 1


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[sqlite.SqliteStore]:
    """An empty embedded database of this test's own."""
    async with sqlite.open_store(tmp_path / "catalog.sqlite3") as opened:
        yield opened


async def _sync(upstream: RunningUpstream, store: sqlite.SqliteStore, **options: Any) -> SyncResult:
    async with upstream.catalog(retry=PATIENT) as source:
        return await sync_catalog(
            source, store.catalog, store.sync_cursor, source_name=upstream.url, **options
        )


@pytest.mark.anyio
async def test_sync_copies_every_movie_once_despite_failures(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore
) -> None:
    """With 30% of answers failing, the store ends with every movie once, in order."""
    upstream = await fake_upstream(UpstreamOptions(movies=95, seed=4, failure_rate=0.3))
    progress: list[SyncProgress] = []
    ticks = itertools.count()  # a clock one second further on at each reading

    result = await _sync(
        upstream, store, progress=progress.append, clock=lambda: float(next(ticks))
    )

    assert (result, await _stored(store.catalog)) == (
        SyncResult(first_page=1, last_page=10, movies=95, missed=0),
        synthetic_movies(95, seed=4),
    )
    assert progress == [
        SyncProgress(page=n, pages=10, first_page=1, movies=min(10 * n, 95), seconds=n)
        for n in range(1, 11)
    ]


def test_progress_gives_the_pace_and_the_time_left() -> None:
    """3 pages done of a run that started on page 3, in 4 s: 5 movies/s, 12 s for 6 pages left."""
    progress = SyncProgress(page=4, pages=10, first_page=3, movies=20, seconds=4.0)

    assert (progress.movies_per_second, progress.seconds_left) == (5.0, 12.0)


@pytest.mark.anyio
async def test_an_interrupted_sync_resumes_after_the_last_page_completed(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore
) -> None:
    """A sync stopped after 4 pages is finished by the next run, reading each page once in all."""
    upstream = await fake_upstream(UpstreamOptions(movies=95, seed=4))

    def stop_after_page_4(progress: SyncProgress) -> None:
        if progress.page == 4:
            raise Interrupted

    with pytest.raises(Interrupted):
        await _sync(upstream, store, progress=stop_after_page_4)
    mark = await store.sync_cursor.read(upstream.url)
    resumed = await _sync(upstream, store)

    assert (mark, resumed, await upstream.hits()) == (
        SyncMark(page=4, at_end=False),
        SyncResult(first_page=5, last_page=10, movies=55, missed=0),
        10,
    )
    assert await _stored(store.catalog) == synthetic_movies(95, seed=4)


@pytest.mark.anyio
async def test_a_sync_copies_everything_whatever_the_catalog_held(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore
) -> None:
    """A local catalog already holding the bundled movies still gets every upstream page."""
    upstream = await fake_upstream(UpstreamOptions(movies=45, seed=6))
    await store.catalog.put(bundled_movies())

    result = await _sync(upstream, store)

    assert result == SyncResult(first_page=1, last_page=5, movies=45, missed=0)
    assert await _stored(store.catalog) == [*bundled_movies(), *synthetic_movies(45, seed=6)]


@pytest.mark.anyio
async def test_a_finished_sync_reads_the_last_page_again_for_new_movies(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore
) -> None:
    """After the upstream grows from 45 to 52 movies, a new sync reads pages 5 and 6 only."""
    upstream = await fake_upstream.own(UpstreamOptions(movies=45, seed=8))
    first = await _sync(upstream, store)

    await upstream.stop()
    await upstream.start(replace(upstream.options, movies=52))
    second = await _sync(upstream, store)

    assert (first, second, await upstream.hits()) == (
        SyncResult(first_page=1, last_page=5, movies=45, missed=0),
        SyncResult(first_page=5, last_page=6, movies=12, missed=0),
        2,
    )
    assert await _stored(store.catalog) == synthetic_movies(52, seed=8)


@pytest.mark.anyio
async def test_another_upstream_is_synced_from_its_first_page(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore
) -> None:
    """The cursor belongs to one upstream URL: a second upstream starts on page 1."""
    one = await fake_upstream(UpstreamOptions(movies=25, seed=1))
    two = await fake_upstream(UpstreamOptions(movies=15, seed=2))

    results = [await _sync(one, store), await _sync(two, store)]

    assert results == [
        SyncResult(first_page=1, last_page=3, movies=25, missed=0),
        SyncResult(first_page=1, last_page=2, movies=15, missed=0),
    ]
    assert await _stored(store.catalog) == [
        *synthetic_movies(25, seed=1),
        *synthetic_movies(15, seed=2),
    ]


@pytest.mark.anyio
async def test_movies_that_cannot_be_served_are_counted_as_missed(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore, tmp_path: Path
) -> None:
    """A movie with a bad uuid is left out and counted; one with null fields is copied."""
    good = [msgspec.to_builtins(m) for m in synthetic_catalog(12, seed=3)]
    data = tmp_path / "movies.json"
    entries = [*good[:3], {**good[3], "uuid": "nope"}, {**good[4], "genres": None}, *good[5:]]
    data.write_text(json.dumps(entries), encoding="utf-8")
    upstream = await fake_upstream(UpstreamOptions(data=data))

    result = await _sync(upstream, store)

    expected = synthetic_movies(12, seed=3)
    expected[4] = replace(expected[4], genres="")
    assert result == SyncResult(first_page=1, last_page=2, movies=11, missed=1)
    assert await _stored(store.catalog) == [*expected[:3], *expected[4:]]


@pytest.mark.anyio
async def test_a_sync_without_upstream_fails_and_stores_nothing(
    fake_upstream: FakeUpstreams, store: sqlite.SqliteStore
) -> None:
    """With the upstream down, the sync gives up after its tries with CatalogUnavailable."""
    upstream = await fake_upstream.own()
    await upstream.stop()

    with pytest.raises(CatalogUnavailable):
        await _sync(upstream, store, attempts=2, retry_pause=0.01)

    assert (await store.catalog.count(), await store.sync_cursor.read(upstream.url)) == (0, None)
