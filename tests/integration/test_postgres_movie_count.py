"""The size of the local catalog in PostgreSQL, kept by triggers (migration 0006) rather than
counted on each page: it must match the rows, however they came and went."""

from __future__ import annotations

from uuid import uuid4

import psycopg
import pytest

from adapters.postgres import migrate, open_store, shipped_migrations
from moviecore import Movie


def _movies(n: int) -> list[Movie]:
    return [
        Movie(uuid=uuid4(), title=f"Movie {i}", description="", genres="Drama") for i in range(n)
    ]


async def _counts(url: str) -> tuple[int, int, int]:
    """The catalog's count as the store reads it, as page 1 says, and the rows in the table."""
    async with open_store(url, min_size=1, max_size=1) as store:
        stored, page = await store.catalog.count(), await store.catalog.page(1)
    async with await psycopg.AsyncConnection.connect(url) as conn:
        [(rows,)] = await (await conn.execute("SELECT count(*) FROM movies")).fetchall()
    return stored, page.count, rows


@pytest.mark.anyio
async def test_count_follows_imports_replacements_and_deletes(migrated_postgres_url: str) -> None:
    """A bulk import, an import replacing some movies, rows deleted or truncated directly in the
    database: after each, the count every page shows is the number of movies stored."""
    movies = _movies(2500)
    seen = []
    async with open_store(migrated_postgres_url, min_size=1, max_size=1) as store:
        await store.catalog.put(movies)
        seen.append(await _counts(migrated_postgres_url))
        await store.catalog.put([*movies[:100], *_movies(7)])
        seen.append(await _counts(migrated_postgres_url))
    async with await psycopg.AsyncConnection.connect(
        migrated_postgres_url, autocommit=True
    ) as conn:
        await conn.execute("DELETE FROM movies WHERE seq % 10 = 0")
        seen.append(await _counts(migrated_postgres_url))
        await conn.execute("TRUNCATE movies")
        seen.append(await _counts(migrated_postgres_url))
    assert seen == [(2500, 2500, 2500), (2507, 2507, 2507), (2257, 2257, 2257), (0, 0, 0)]


@pytest.mark.anyio
async def test_movies_stored_before_the_count_existed_are_counted(postgres_url: str) -> None:
    """A catalog filled under the schema before migration 0006 keeps its count once migrated."""
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await conn.execute("CREATE TABLE schema_migrations (version integer PRIMARY KEY)")
        for migration in shipped_migrations():
            if migration.version < 6:
                await conn.execute(migration.script)
                await conn.execute(
                    "INSERT INTO schema_migrations (version) VALUES (%(v)s)",
                    {"v": migration.version},
                )
        await conn.execute(
            "INSERT INTO movies (uuid, title, description, genres)"
            " SELECT gen_random_uuid(), 'Old ' || i, '', 'Drama' FROM generate_series(1, 42) AS i"
        )
    await migrate(postgres_url)
    assert await _counts(postgres_url) == (42, 42, 42)
