"""Movies stored before search existed get their search keys when the database is upgraded."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import psycopg
import pytest

from adapters import postgres, sqlite
from moviecore import CatalogPage, MovieQuery, search_words
from moviecore.testing import sample_catalog

MOVIES = sample_catalog(30, seed=21)
FORGET_KEYS = "UPDATE movies SET title_key = NULL, description_key = NULL, genre_key = NULL"
"""What a movie stored before migration 0004 looks like: no keys yet."""


def _query(movie_index: int) -> MovieQuery:
    return MovieQuery(words=search_words(MOVIES[movie_index].title))


@pytest.mark.anyio
async def test_sqlite_movies_without_keys_are_found_once_the_store_reopens(tmp_path: Path) -> None:
    """Movies left without keys are found again after the store is next opened."""
    path = tmp_path / "moviecore.sqlite3"
    async with sqlite.open_store(path) as store:
        await store.catalog.put(MOVIES)
        expected = await store.catalog.search(_query(7), 1)
    with sqlite3.connect(path) as connection:
        connection.execute(FORGET_KEYS)
    connection.close()
    async with sqlite.open_store(path) as store:
        assert (await store.catalog.search(_query(7), 1), expected.count > 0) == (expected, True)


@pytest.mark.anyio
async def test_postgres_movies_without_keys_are_found_after_migrate(postgres_url: str) -> None:
    """Movies left without keys are found again once ``migrate`` has run."""
    await postgres.migrate(postgres_url)
    async with postgres.open_store(postgres_url, max_size=2) as store:
        await store.catalog.put(MOVIES)
        expected = await store.catalog.search(_query(7), 1)
        async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
            await conn.execute(FORGET_KEYS)
        forgotten = await store.catalog.search(_query(7), 1)
        await postgres.migrate(postgres_url)
        assert (forgotten, await store.catalog.search(_query(7), 1)) == (
            CatalogPage((), 0, 1, False),
            expected,
        )
