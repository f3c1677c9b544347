"""Movies stored before search existed get their search keys when the database is upgraded."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from importlib import resources
from pathlib import Path

import psycopg
import pytest

from adapters import postgres, sqlite
from moviecore import CatalogPage
from moviecore.ports import MovieQuery
from moviecore.testing import sample_catalog

MOVIES = sample_catalog(30, seed=21)
SEARCH_MIGRATION = 4
FORGET_KEYS = "UPDATE movies SET title_key = NULL, description_key = NULL, genre_key = NULL"
"""What a movie stored before the search migration looks like: no keys yet."""


def _query(movie_index: int) -> MovieQuery:
    return MovieQuery.of(MOVIES[movie_index].title)


def _create_before_search(path: Path) -> None:
    """A SQLite database as the releases before search left it, holding ``MOVIES``."""
    scripts = resources.files("adapters.sqlite") / "migrations"
    older = sorted(
        (int(entry.name[:4]), entry.read_text(encoding="utf-8"))
        for entry in scripts.iterdir()
        if entry.name.endswith(".sql") and int(entry.name[:4]) < SEARCH_MIGRATION
    )
    with closing(sqlite3.connect(path)) as connection, connection:
        connection.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY)")
        for version, script in older:
            connection.executescript(script)
            connection.execute("INSERT INTO schema_migrations (version) VALUES (?)", (version,))
        connection.executemany(
            "INSERT INTO movies (uuid, title, description, genres) VALUES (?, ?, ?, ?)",
            [(str(m.uuid), m.title, m.description, m.genres) for m in MOVIES],
        )


@pytest.mark.anyio
async def test_sqlite_movies_stored_before_search_are_found_once_upgraded(
    tmp_path: Path,
) -> None:
    """Movies of a database older than search are found, and can be replaced, once it is
    opened by this release, as if they had been stored by it."""
    old, new = tmp_path / "old.sqlite3", tmp_path / "new.sqlite3"
    _create_before_search(old)
    renamed = replace(MOVIES[7], title="Renamed")
    pages = []
    for path in (old, new):
        async with sqlite.open_store(path) as store:
            if path == new:
                await store.catalog.put(MOVIES)
            await store.catalog.put([renamed])
            pages.append(
                [await store.catalog.search(_query(n), 1) for n in (3, 7)]
                + [await store.catalog.search(MovieQuery(("renamed",)), 1)]
            )
    assert (pages[0], pages[1][2].movies) == (pages[1], (renamed,))


@pytest.mark.anyio
async def test_postgres_movies_without_keys_are_found_after_migrate(
    migrated_postgres_url: str,
) -> None:
    """Movies left without keys are found again once ``migrate`` has run."""
    async with postgres.open_store(migrated_postgres_url, max_size=2) as store:
        await store.catalog.put(MOVIES)
        expected = await store.catalog.search(_query(7), 1)
        connect = psycopg.AsyncConnection.connect
        async with await connect(migrated_postgres_url, autocommit=True) as conn:
            await conn.execute(FORGET_KEYS)
        forgotten = await store.catalog.search(_query(7), 1)
        await postgres.migrate(migrated_postgres_url)
        assert (forgotten, await store.catalog.search(_query(7), 1)) == (
            CatalogPage((), 0, 1, False),
            expected,
        )
