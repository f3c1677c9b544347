"""Connections the database ends under a running store: calls carry on, or fail honestly.

The database ends a connection as a restart does, with ``pg_terminate_backend``.
Locks held by the test park a call at a chosen statement (or at its COMMIT), so the
connection is lost exactly there.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TypeAlias
from uuid import UUID, uuid4

import psycopg
import pytest
from psycopg.rows import TupleRow

from adapters.postgres import PostgresStore, open_store
from moviecore import Collection, Movie, StorageUnavailable, User

AdminConnection: TypeAlias = psycopg.AsyncConnection[TupleRow]
WAIT_SECONDS = 10.0
HOLD_COMMIT_LOCK = 4242


@pytest.fixture
async def store(migrated_postgres_url: str) -> AsyncIterator[PostgresStore]:
    """A store of up to three connections on a freshly migrated database."""
    async with open_store(migrated_postgres_url, max_size=3) as opened:
        yield opened


@pytest.fixture
async def admin(migrated_postgres_url: str) -> AsyncIterator[AdminConnection]:
    """A connection of the test's own to the store's database, outside the store's pool."""
    async with await psycopg.AsyncConnection.connect(
        migrated_postgres_url, autocommit=True
    ) as conn:
        yield conn


@pytest.fixture
async def holder(migrated_postgres_url: str) -> AsyncIterator[AdminConnection]:
    """A second connection of the test's own, to hold locks in a transaction."""
    async with await psycopg.AsyncConnection.connect(migrated_postgres_url) as conn:
        yield conn


@pytest.fixture
async def stored(store: PostgresStore) -> Collection:
    """A user's collection of two movies, already stored."""
    user = User(uuid4(), f"owner-{uuid4().hex[:8]}", "hash")
    await store.users.add(user)
    movies = tuple(Movie(uuid4(), f"Movie {n}", "", "Drama") for n in range(2))
    collection = Collection(uuid4(), user.id, "Stored", "", movies)
    await store.collections.add(collection)
    return collection


async def _lock_waiters(admin: AdminConnection, n: int = 1) -> list[int]:
    """The backends of this database waiting for a lock, once there are ``n`` of them."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        cursor = await admin.execute(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        pids = [int(str(pid)) for (pid,) in await cursor.fetchall()]
        if len(pids) >= n:
            return pids
        assert time.monotonic() < deadline, f"{len(pids)} of {n} calls came to wait for the lock"
        await asyncio.sleep(0.02)  # polling interval while the calls get to the lock


async def _terminate(admin: AdminConnection, pids: list[int]) -> None:
    """End these backends' connections, as a database restart does, and wait until they are."""
    await admin.execute(
        "SELECT pg_terminate_backend(pid, %s) FROM unnest(%s::integer[]) AS pid",
        (int(WAIT_SECONDS * 1000), pids),
    )


async def _count(admin: AdminConnection, owner: UUID) -> object:
    cursor = await admin.execute("SELECT count(*) FROM collections WHERE owner = %s", (owner,))
    return (await cursor.fetchone() or (None,))[0]


@pytest.mark.anyio
async def test_idle_connections_ended_by_the_database_are_not_handed_out(
    store: PostgresStore,
    admin: AdminConnection,
    holder: AdminConnection,
    stored: Collection,
) -> None:
    """After the database ends every idle connection of a full pool at once, as a restart
    does, the next read succeeds."""
    # Three reads parked behind a table lock at once fill the pool with three connections.
    await holder.execute("LOCK TABLE collections IN ACCESS EXCLUSIVE MODE")
    reads = [store.collections.get(stored.owner, stored.uuid) for _ in range(3)]
    parked = asyncio.gather(*reads)
    pool = await _lock_waiters(admin, 3)
    await holder.commit()
    await parked
    await _terminate(admin, pool)
    assert await store.collections.get(stored.owner, stored.uuid) == stored


@pytest.mark.anyio
async def test_a_read_whose_connection_is_lost_runs_again_on_another(
    store: PostgresStore,
    admin: AdminConnection,
    holder: AdminConnection,
    stored: Collection,
) -> None:
    """A read whose connection the database ends mid-statement still returns the collection."""
    await holder.execute("LOCK TABLE collections IN ACCESS EXCLUSIVE MODE")
    read = asyncio.ensure_future(store.collections.get(stored.owner, stored.uuid))
    await _terminate(admin, await _lock_waiters(admin))
    await holder.commit()
    assert await read == stored


@pytest.mark.anyio
async def test_a_write_whose_connection_is_lost_before_commit_runs_again_once(
    store: PostgresStore,
    admin: AdminConnection,
    holder: AdminConnection,
    stored: Collection,
) -> None:
    """A removal whose connection the database ends mid-transaction succeeds, and takes effect
    exactly once: the collection is gone and the listed count is 0."""
    await holder.execute("SELECT 1 FROM collections WHERE uuid = %s FOR UPDATE", (stored.uuid,))
    removal = asyncio.ensure_future(store.collections.remove(stored.owner, stored.uuid))
    await _terminate(admin, await _lock_waiters(admin))
    await holder.commit()
    removed = await removal
    listed = (await store.collections.page(stored.owner, 0, 10)).count
    assert (removed, await _count(admin, stored.owner), listed) == (True, 0, 0)


@pytest.mark.anyio
async def test_a_write_whose_connection_is_lost_at_commit_is_not_run_again(
    store: PostgresStore,
    admin: AdminConnection,
    holder: AdminConnection,
    stored: Collection,
) -> None:
    """A new collection whose COMMIT the database cuts off reports StorageUnavailable rather
    than being written a second time."""
    # A deferred trigger runs at COMMIT and waits there while the test holds the lock.
    await admin.execute(
        "CREATE FUNCTION hold_commit() RETURNS trigger LANGUAGE plpgsql AS"
        f" $$ BEGIN PERFORM pg_advisory_xact_lock({HOLD_COMMIT_LOCK}); RETURN NULL; END $$;"
        " CREATE CONSTRAINT TRIGGER hold_commit AFTER INSERT ON collections"
        " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION hold_commit()"
    )
    await holder.execute("SELECT pg_advisory_lock(%s)", (HOLD_COMMIT_LOCK,))
    cut_off = Collection(uuid4(), stored.owner, "Cut off", "", ())
    adding = asyncio.ensure_future(store.collections.add(cut_off))
    await _terminate(admin, await _lock_waiters(admin))
    await holder.execute("SELECT pg_advisory_unlock(%s)", (HOLD_COMMIT_LOCK,))
    await holder.commit()
    with pytest.raises(StorageUnavailable):
        await adding
    assert await _count(admin, stored.owner) == 1
