"""The PostgreSQL schema: migrations that any number of processes may run, and per-user indexes."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import psycopg
import pytest

from adapters.postgres import migrate, shipped_migrations
from adapters.postgres._collections import PAGE_HOLDING_QUERY, PAGE_QUERY
from adapters.postgres._migrate import LOCK_ID
from adapters.postgres._pool import Connection
from moviecore import StorageUnavailable

TABLES = {
    "catalog_sync",
    "collection_movies",
    "collections",
    "genre_counts",
    "movie_count",
    "movies",
    "schema_migrations",
    "sessions",
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
    return [migration.version for migration in shipped_migrations()]


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
    """Four workers starting together all succeed, the schema is migrated exactly once, and
    one of them, alone, reports applying the migrations."""
    runs = await asyncio.gather(*(migrate(postgres_url) for _ in range(4)))
    applied = sorted(([m.version for m in run.applied] for run in runs), key=len)
    assert (applied, await _schema(postgres_url)) == (
        [[], [], [], _shipped_versions()],
        (_shipped_versions(), TABLES),
    )


@pytest.mark.anyio
async def test_a_migration_waits_for_another_only_so_long(postgres_url: str) -> None:
    """While another migration holds the lock, migrating gives up after its wait with a message
    saying why, and succeeds once that migration has committed."""
    async with await psycopg.AsyncConnection.connect(postgres_url) as other:
        await other.execute("SELECT pg_advisory_xact_lock(%(lock)s)", {"lock": LOCK_ID})
        with pytest.raises(StorageUnavailable) as waited:
            await migrate(postgres_url, lock_wait=0.1)
        await other.commit()
    await migrate(postgres_url, lock_wait=0.1)
    assert (str(waited.value), await _schema(postgres_url)) == (
        "cannot migrate the database: a lock was not granted within 0.1 s"
        " (another migration, or a long transaction on a table it changes)",
        (_shipped_versions(), TABLES),
    )


def _nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node of a JSON plan tree."""
    yield plan
    for child in plan.get("Plans", []):
        yield from _nodes(child)


def _access(plan: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The indexes a plan reads, and the kinds of its nodes."""
    nodes = list(_nodes(plan))
    indexes = {node["Index Name"] for node in nodes if "Index Name" in node}
    return indexes, {node["Node Type"] for node in nodes}


async def _add_users(conn: Connection, prefix: str, users: int, collections: int) -> None:
    """``users`` new users named ``prefix1``..., ``collections`` new collections each with
    three movies, and counts of three genres each."""
    await conn.execute(
        "INSERT INTO users (id, username, username_key, password_hash)"
        " SELECT gen_random_uuid(), %(prefix)s || i, %(prefix)s || i, 'hash'"
        " FROM generate_series(1, %(users)s) AS i",
        {"prefix": prefix, "users": users},
    )
    await conn.execute(
        "INSERT INTO collections (uuid, owner, title, description)"
        " SELECT gen_random_uuid(), id, 'title', '' FROM users, generate_series(1, %(n)s)"
        " WHERE username LIKE %(prefix)s || '%%'",
        {"prefix": prefix, "n": collections},
    )
    await conn.execute(
        "INSERT INTO collection_movies (collection, position, uuid, title, description, genres)"
        " SELECT c.seq, position, gen_random_uuid(), 'movie', '', 'Drama'"
        " FROM collections AS c JOIN users ON users.id = c.owner,"
        " generate_series(0, 2) AS position WHERE username LIKE %(prefix)s || '%%'",
        {"prefix": prefix},
    )
    await conn.execute(
        "INSERT INTO genre_counts (owner, genre, n)"
        " SELECT id, genre, 1 FROM users, unnest(ARRAY['Drama', 'War', 'Comedy']) AS genre"
        " WHERE username LIKE %(prefix)s || '%%'",
        {"prefix": prefix},
    )


async def _listing_access(
    conn: Connection, username: str, statement: str = PAGE_QUERY
) -> tuple[set[str], set[str]]:
    """The indexes and node kinds of the plan of a page of ``username``'s collections,
    planned for that user's id, as a statement sent without preparing is. The tables are
    vacuumed as well as analysed, so that whether autovacuum has come by yet (which marks
    pages all-visible, and so changes what an index-only scan costs) changes no plan."""
    await conn.execute("VACUUM ANALYZE")
    cursor = await conn.execute(
        "SELECT id FROM users WHERE username = %(name)s", {"name": username}
    )
    [(owner,)] = await cursor.fetchall()
    cursor = await conn.execute(
        "EXPLAIN (FORMAT JSON) " + statement,
        {"owner": owner, "limit": 10, "offset": 20, "movie": uuid4()},
    )
    [(explained,)] = await cursor.fetchall()
    indexes, kinds = _access(explained[0]["Plan"])
    # Both indexes of collection_movies lead with the collection: either serves a count.
    tables = {"collection_movies" if i.startswith("collection_movies") else i for i in indexes}
    return tables, kinds & {"Seq Scan"}


@pytest.mark.anyio
async def test_collection_listing_reads_only_the_owners_index_entries(postgres_url: str) -> None:
    """Among 10,000 collections of 2,000 users, one user's page and genre counts come from
    the indexes and the count from the user's row, and the page of the user's collections
    holding a movie from the indexes too, with no table scanned whole."""
    await migrate(postgres_url)
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await _add_users(conn, "user", users=2000, collections=5)
        access = await _listing_access(conn, "user1")
        holding = await _listing_access(conn, "user1", PAGE_HOLDING_QUERY)
    assert (access, holding) == (
        ({"users_pkey", "collections_owner_seq", "genre_counts_pkey"}, set()),
        ({"collections_owner_seq", "genre_counts_pkey", "collection_movies"}, set()),
    )


@pytest.mark.anyio
async def test_listing_a_user_with_many_old_collections_reads_only_theirs(
    postgres_url: str,
) -> None:
    """A user whose 1,000 collections are older than 20,000 of others' gets a page from the
    owner's index too, not by walking back through everyone's newer collections."""
    await migrate(postgres_url)
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await _add_users(conn, "heavy", users=1, collections=1000)
        await _add_users(conn, "user", users=2000, collections=10)
        access = await _listing_access(conn, "heavy1")
    assert access == ({"users_pkey", "collections_owner_seq", "genre_counts_pkey"}, set())


@pytest.mark.anyio
async def test_upgrading_counts_the_collections_users_already_have(postgres_url: str) -> None:
    """A database filled under the first schema lists each user's true collection count, and
    each collection's movie count, after migrating to the newest one; its users are dated,
    and none is an operator."""
    first = shipped_migrations()[0]
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as conn:
        await conn.execute(first.script)
        await conn.execute(
            "INSERT INTO users (id, username, username_key, password_hash)"
            " SELECT gen_random_uuid(), 'user' || i, 'user' || i, 'hash'"
            " FROM generate_series(1, 3) AS i"
        )
        await conn.execute(
            "INSERT INTO collections (uuid, owner, title, description)"
            " SELECT gen_random_uuid(), id, 'title', '' FROM users, generate_series(1, 4)"
            " WHERE username <> 'user1'"
        )
        await conn.execute(
            "INSERT INTO collection_movies (collection, position, uuid, title, description, genres)"
            " SELECT seq, 0, gen_random_uuid(), 'movie', '', '' FROM collections"
            " JOIN users ON users.id = collections.owner WHERE username = 'user2'"
        )
        await conn.execute(
            "CREATE TABLE schema_migrations (version integer PRIMARY KEY,"
            " applied_at timestamptz NOT NULL DEFAULT now());"
            f" INSERT INTO schema_migrations (version) VALUES ({first.version})"
        )
        await migrate(postgres_url)
        cursor = await conn.execute(
            "SELECT username, collection_count, operator, created_at IS NOT NULL FROM users"
            " ORDER BY 1"
        )
        counts = await cursor.fetchall()
        cursor = await conn.execute(
            "SELECT username, array_agg(DISTINCT movies_count) FROM collections"
            " JOIN users ON users.id = collections.owner GROUP BY username ORDER BY 1"
        )
        movies_counts = await cursor.fetchall()
    assert (counts, movies_counts) == (
        [("user1", 0, False, True), ("user2", 4, False, True), ("user3", 4, False, True)],
        [("user2", [1]), ("user3", [0])],
    )
