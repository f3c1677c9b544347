"""The PostgreSQL schema: migrations that any number of workers may run, and per-user indexes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from adapters.postgres import migrate
from adapters.postgres._collections import COUNT_QUERY, PAGE_QUERY
from adapters.postgres._migrate import migrations

TABLES = {
    "collection_movies",
    "collections",
    "genre_counts",
    "movies",
    "schema_migrations",
    "users",
}


async def _schema(url: str) -> tuple[list[int], set[str]]:
    """The recorded migration versions and the tables of the public schema."""
    async with await psycopg.AsyncConnection.connect(url) as conn:
        versions = await conn.execute("SELECT version FROM schema_migrations ORDER BY version")
        tables = await conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return [row[0] for row in await versions.fetchall()], {
            row[0] for row in await tables.fetchall()
        }


def _shipped_versions() -> list[int]:
    return [migration.version for migration in migrations()]


@pytest.mark.anyio
async def test_migrating_again_changes_nothing(postgres_url: str) -> None:
    """Running the migrations a second time applies nothing twice and leaves the schema as is."""
    await migrate(postgres_url)
    first = await _schema(postgres_url)
    await migrate(postgres_url)
    assert (first, await _schema(postgres_url)) == (
        (_shipped_versions(), TABLES),
        (_shipped_versions(), TABLES),
    )


@pytest.mark.anyio
async def test_workers_migrating_at_once_apply_each_version_once(postgres_url: str) -> None:
    """Four workers starting together all succeed and the schema is migrated exactly once."""
    await asyncio.gather(*(migrate(postgres_url) for _ in range(4)))
    assert await _schema(postgres_url) == (_shipped_versions(), TABLES)


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan tree."""
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _access(plan: dict[str, Any]) -> tuple[set[str], int]:
    """The indexes a plan reads, and how many tables it scans whole."""
    nodes = list(_nodes(plan))
    indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
    return indexes, sum(node["Node Type"] == "Seq Scan" for node in nodes)


@pytest.mark.anyio
async def test_collection_listing_reads_only_the_owners_index_entries(postgres_url: str) -> None:
    """Among 10,000 collections of 200 users, one user's page and count come from the index."""
    await migrate(postgres_url)
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await conn.execute(
            "INSERT INTO users (id, username, username_key, password_hash)"
            " SELECT gen_random_uuid(), 'user' || i, 'user' || i, 'hash'"
            " FROM generate_series(1, 200) AS i"
        )
        await conn.execute(
            "INSERT INTO collections (uuid, owner, title, description)"
            " SELECT gen_random_uuid(), id, 'title', '' FROM users, generate_series(1, 50)"
        )
        await conn.execute("ANALYZE")
        [(owner,)] = await (await conn.execute("SELECT id FROM users LIMIT 1")).fetchall()
        plans = []
        for query, params in ((PAGE_QUERY, (owner, 10, 20)), (COUNT_QUERY, (owner,))):
            cursor = await conn.execute("EXPLAIN (FORMAT JSON) " + query, params)
            [(explained,)] = await cursor.fetchall()
            plans.append(_access(explained[0]["Plan"]))
    assert plans == [({"collections_owner_seq"}, 0), ({"collections_owner_seq"}, 0)]
