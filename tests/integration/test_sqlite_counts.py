"""Counts a listing shows without counting rows: exact under concurrent writes, backfilled by
the migration that introduced them, and read through indexes that touch one owner only."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import timedelta
from importlib import resources
from pathlib import Path
from uuid import UUID, uuid4

import anyio
import pytest

from adapters.sqlite import open_store
from adapters.sqlite._collections import (
    COUNT_HOLDING_QUERY,
    COUNT_QUERY,
    GENRE_COUNTS_QUERY,
    PAGE_HOLDING_QUERY,
    PAGE_QUERY,
)
from fixtures.migrations import shipped_versions
from moviecore import Collection, Movie, User
from moviecore.ports import AlreadyStored, Session


def _collection(owner: UUID, n: int) -> Collection:
    return Collection(uuid4(), owner, f"C{n}", "", (Movie(uuid4(), f"Film {n}", "", "Drama"),))


def _recount(path: Path) -> dict[UUID, int]:
    """Each owner's number of stored collections, counted row by row from the file."""
    with closing(sqlite3.connect(path)) as connection:
        rows = connection.execute("SELECT owner, count(*) FROM collections GROUP BY owner")
        return {UUID(owner): count for owner, count in rows}


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "moviecore.sqlite3"


@pytest.mark.anyio
async def test_collection_count_stays_exact_under_concurrent_adds_and_removes(
    path: Path,
) -> None:
    """Concurrent adds, removes, repeated removes and refused duplicate adds leave every
    owner's listed count equal to a recount of the stored collections."""
    owners = [User(uuid4(), f"owner-{n}", "hash") for n in range(3)]
    originals = [_collection(owners[n % 3].id, n) for n in range(12)]
    stored = {c.uuid: c for c in originals}
    async with open_store(path) as store:
        for owner in owners:
            await store.users.add(owner)
        for collection in originals:
            await store.collections.add(collection)

        async def add(n: int) -> None:
            collection = _collection(owners[n % 3].id, n)
            stored[collection.uuid] = collection
            await store.collections.add(collection)

        async def remove(collection: Collection) -> None:
            # Originals 0 to 7 are each removed twice at once: only one of the two may count.
            if await store.collections.remove(collection.owner, collection.uuid):
                del stored[collection.uuid]

        async def add_again(collection: Collection) -> None:
            with pytest.raises(AlreadyStored):
                await store.collections.add(collection)

        async with anyio.create_task_group() as group:
            for n in range(40):
                group.start_soon(add, 100 + n)
                group.start_soon(add_again, originals[8 + n % 4])
                if n < 16:
                    group.start_soon(remove, originals[n % 8])

        listed = {
            owner.id: (await store.collections.page(owner.id, 0, 0)).count for owner in owners
        }
    expected = {owner.id: 0 for owner in owners}
    for collection in stored.values():
        expected[collection.owner] += 1
    assert (listed, _recount(path)) == (expected, expected)


def _create_with_first_migration_only(path: Path) -> None:
    """A database as the first release created it: migration 0001 applied and recorded."""
    script = resources.files("adapters.sqlite") / "migrations" / "0001_initial.sql"
    with closing(sqlite3.connect(path)) as connection:
        connection.executescript(script.read_text(encoding="utf-8"))
        connection.executescript(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY);"
            "INSERT INTO schema_migrations (version) VALUES (1);"
        )


def _insert_first_release_rows(path: Path, owners: dict[UUID, int], movies: int) -> None:
    """Users owning the given numbers of collections, and catalog movies, in version 1 rows."""
    with closing(sqlite3.connect(path)) as connection, connection:
        for owner, collections in owners.items():
            connection.execute(
                "INSERT INTO users (id, username, username_key, password_hash)"
                " VALUES (?, ?, ?, 'hash')",
                (str(owner), owner.hex, owner.hex),
            )
            connection.executemany(
                "INSERT INTO collections (uuid, owner, title, description) VALUES (?, ?, 'C', '')",
                [(str(uuid4()), str(owner)) for _ in range(collections)],
            )
        connection.executemany(
            "INSERT INTO movies (uuid, title, description, genres) VALUES (?, 'Film', '', '')",
            [(str(uuid4()),) for _ in range(movies)],
        )
        for position in range(2):  # two movies in every collection
            connection.execute(
                "INSERT INTO collection_movies (collection, position, uuid, title, description,"
                " genres) SELECT seq, :position, :uuid, 'Film', '', '' FROM collections",
                {"position": position, "uuid": str(uuid4())},
            )


@pytest.mark.anyio
async def test_upgrade_backfills_counts_of_existing_data(path: Path) -> None:
    """A database made by the first release shows its true collection, movie and catalog
    counts once opened, and keeps them in step with later writes."""
    owners = {uuid4(): 3, uuid4(): 0, uuid4(): 1}
    _create_with_first_migration_only(path)
    _insert_first_release_rows(path, owners, movies=4)
    first, second, _ = owners
    async with open_store(path) as store:
        upgraded = {owner: (await store.collections.page(owner, 0, 10)).count for owner in owners}
        movies_counts = {
            listed.movies_count
            for owner in owners
            for listed in (await store.collections.page(owner, 0, 10)).summaries
        }
        catalog = await store.catalog.count()
        await store.collections.add(_collection(second, 1))
        await store.catalog.put([Movie(uuid=uuid4(), title="New", description="", genres="")])
        after_writes = (
            (await store.collections.page(first, 0, 10)).count,
            (await store.collections.page(second, 0, 10)).count,
            await store.catalog.count(),
        )
    with closing(sqlite3.connect(path)) as connection:
        versions = connection.execute("SELECT version FROM schema_migrations").fetchall()
    assert (upgraded, movies_counts, catalog, after_writes, versions) == (
        owners,
        {2},
        4,
        (3, 1, 5),
        shipped_versions("adapters.sqlite"),
    )


@pytest.mark.anyio
async def test_listing_reads_only_the_owners_index_entries(path: Path) -> None:
    """A page of collections (their movie counts kept on write), its count and the favourite
    genres, and the page and count of those holding one movie, are read through the owner's
    index entries and one probe of each of the owner's collections: no table scan and no
    sort, however much others have."""
    async with open_store(path):
        pass
    args = {"owner": str(uuid4()), "limit": 10, "offset": 20, "movie": str(uuid4())}
    with closing(sqlite3.connect(path)) as connection:
        plans = [
            [detail for _, _, _, detail in connection.execute(f"EXPLAIN QUERY PLAN {sql}", args)]
            for sql in (
                PAGE_QUERY,
                COUNT_QUERY,
                GENRE_COUNTS_QUERY,
                PAGE_HOLDING_QUERY,
                COUNT_HOLDING_QUERY,
            )
        ]
    probed = (
        "SEARCH collection_movies USING COVERING INDEX collection_movies_by_uuid"
        " (collection=? AND uuid=?)"
    )
    assert plans == [
        ["SEARCH c USING INDEX collections_by_owner (owner=?)"],
        ["SEARCH users USING INDEX sqlite_autoindex_users_1 (id=?)"],
        ["SEARCH genre_counts USING PRIMARY KEY (owner=?)"],
        [
            "SEARCH c USING INDEX collections_by_owner (owner=?)",
            "CORRELATED SCALAR SUBQUERY 1",
            probed,
        ],
        [
            "SEARCH c USING COVERING INDEX collections_by_owner (owner=?)",
            "CORRELATED SCALAR SUBQUERY 1",
            probed,
        ],
    ]


@pytest.mark.anyio
async def test_upgrade_keeps_first_release_accounts_usable(path: Path) -> None:
    """An account of the first release is found after the upgrade, dated, not an operator;
    its password changes, it gets sessions, and deleting it erases its collections and
    leaves its name free."""
    owner, other = uuid4(), uuid4()
    _create_with_first_migration_only(path)
    _insert_first_release_rows(path, {owner: 2, other: 1}, movies=0)
    async with open_store(path) as store:
        found = await store.users.by_id(owner)
        assert found is not None
        session = Session(id=uuid4(), user=owner, generation=0, expires_at=4e9)
        await store.sessions.start(session)
        changed = await store.users.change_password(owner, "new hash")
        removed = await store.users.remove(owner)
        after = (
            await store.users.by_username(owner.hex),
            await store.sessions.find(session.id),
            (await store.collections.page(owner, 0, 10)).count,
            (await store.collections.page(other, 0, 10)).count,
        )
    assert (found.operator, found.created_at.utcoffset(), changed, removed, after) == (
        False,
        timedelta(0),
        True,
        True,
        (None, None, 0, 1),
    )
