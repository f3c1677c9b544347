"""PostgreSQL under concurrent writes, and when the database cannot be reached."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Iterable
from dataclasses import replace
from uuid import UUID, uuid4

import psycopg
import pytest

from adapters.postgres import PostgresStore, migrate, open_store
from moviecore import Collection, Movie, StorageUnavailable, User, count_genres

GENRES = ["Drama", "Comedy", "War", "Horror", "Sci-Fi"]


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[PostgresStore]:
    """A store on a freshly migrated database, with enough connections to write in parallel."""
    await migrate(postgres_url)
    async with open_store(postgres_url, max_size=8) as opened:
        yield opened


@pytest.fixture
async def owner(store: PostgresStore) -> UUID:
    """A stored user owning the test's collections."""
    user = User(uuid4(), f"owner-{uuid4().hex[:8]}", "hash")
    await store.users.add(user)
    return user.id


def _movies(seed: int) -> tuple[Movie, ...]:
    """A list of 1 to 5 movies whose genres overlap with those of other seeds."""
    return tuple(
        Movie(uuid4(), f"Movie {seed}.{n}", "", f"{GENRES[seed % 5]}, {GENRES[(seed + n) % 5]}")
        for n in range(seed % 5 + 1)
    )


def _recount(collections: Iterable[Collection | None]) -> dict[str, int]:
    total: Counter[str] = Counter()
    for collection in collections:
        assert collection is not None
        total.update(count_genres(collection.movies))
    return dict(total)


@pytest.mark.anyio
async def test_concurrent_replaces_leave_one_submitted_state_whole(
    store: PostgresStore, owner: UUID
) -> None:
    """After 20 simultaneous PUTs, the collection is exactly one of them and counts are exact."""
    bystander = Collection(uuid4(), owner, "Bystander", "", _movies(3))
    target = Collection(uuid4(), owner, "Target", "", _movies(0))
    for collection in (bystander, target):
        await store.collections.add(collection)
    submitted = [
        replace(target, title=f"Version {n}", description=f"by writer {n}", movies=_movies(n))
        for n in range(20)
    ]
    replaced = await asyncio.gather(*(store.collections.replace(c) for c in submitted))
    final = await store.collections.get(owner, target.uuid)
    assert (replaced, final in submitted) == ([True] * 20, True)
    assert await store.collections.genre_counts(owner) == _recount([final, bystander])


@pytest.mark.anyio
async def test_concurrent_writes_to_one_owners_collections_keep_counts_exact(
    store: PostgresStore, owner: UUID
) -> None:
    """Adding, replacing and removing many collections of one user at once keeps counts exact."""
    created = [Collection(uuid4(), owner, f"C{n}", "", _movies(n)) for n in range(12)]
    await asyncio.gather(*(store.collections.add(c) for c in created))
    changed = [replace(c, movies=_movies(n + 7)) for n, c in enumerate(created[:6])]
    await asyncio.gather(
        *(store.collections.replace(c) for c in changed),
        *(store.collections.remove(owner, c.uuid) for c in created[6:9]),
    )
    kept = [await store.collections.get(owner, c.uuid) for c in changed + created[9:]]
    assert await store.collections.genre_counts(owner) == _recount(kept)


@pytest.mark.anyio
async def test_collection_count_stays_exact_under_concurrent_adds_and_removes(
    store: PostgresStore, owner: UUID, postgres_url: str
) -> None:
    """With 20 adds and every one of 12 collections removed twice all at once, the listed
    total is the number of collections stored: 20."""
    first = [Collection(uuid4(), owner, f"First {n}", "", _movies(n)) for n in range(12)]
    await asyncio.gather(*(store.collections.add(c) for c in first))
    second = [Collection(uuid4(), owner, f"Second {n}", "", _movies(n)) for n in range(20)]
    removed = await asyncio.gather(
        *(store.collections.add(c) for c in second),
        *(store.collections.remove(owner, c.uuid) for c in first + first),
    )
    _, listed = await store.collections.page(owner, 0, 10)
    async with await psycopg.AsyncConnection.connect(postgres_url) as conn:
        cursor = await conn.execute("SELECT count(*) FROM collections WHERE owner = %s", (owner,))
        [(stored,)] = await cursor.fetchall()
    assert (Counter(removed[20:]), listed, stored) == (Counter({True: 12, False: 12}), 20, 20)


@pytest.mark.anyio
async def test_unreachable_database_is_storage_unavailable() -> None:
    """With nothing listening at the database address, migrating, pinging and reading all fail
    as StorageUnavailable."""
    url = "postgresql://postgres@127.0.0.1:1/moviecore"
    with pytest.raises(StorageUnavailable):
        await migrate(url)
    async with open_store(url, wait=0.2) as store:
        with pytest.raises(StorageUnavailable):
            await store.ping()
        with pytest.raises(StorageUnavailable):
            await store.users.by_id(uuid4())


@pytest.mark.anyio
async def test_ping_answers_when_the_database_is_up(store: PostgresStore) -> None:
    """A health check on a running database returns without error."""
    await store.ping()
