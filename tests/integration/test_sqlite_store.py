"""The SQLite store as a whole: what survives a restart, migrations, health and failures."""

from __future__ import annotations

import logging
import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import cast
from uuid import UUID, uuid4

import pytest

from adapters.sqlite import DamagedDatabase, migrate, open_store
from fixtures.migrations import shipped_versions
from moviecore import (
    CatalogPage,
    Collection,
    CollectionChanges,
    Movie,
    StorageUnavailable,
    User,
    UsernameTaken,
)
from moviecore.ports import CollectionSlice
from moviecore.testing import sample_catalog


def _user() -> User:
    return User(id=uuid4(), username=f"user-{uuid4().hex[:8]}", password_hash="hash")


def _movie(title: str, genres: str) -> Movie:
    return Movie(uuid=uuid4(), title=title, description=f"about {title}", genres=genres)


def _collection(owner: UUID, *movies: Movie) -> Collection:
    return Collection(uuid4(), owner, "Favourites", "the best", movies)


@pytest.fixture
def path(tmp_path: Path) -> Path:
    """Where the test's database file lives."""
    return tmp_path / "moviecore.sqlite3"


@pytest.mark.anyio
async def test_everything_survives_closing_and_reopening(path: Path) -> None:
    """Users, collections, genre counts and the catalog are there after a restart."""
    user = _user()
    collection = _collection(user.id, _movie("Heat", "Crime, Drama"), _movie("Up", "Drama"))
    catalog = [_movie("Alien", "Horror"), _movie("Jaws", "Thriller")]
    async with open_store(path) as store:
        await store.users.add(user)
        await store.collections.add(collection)
        await store.catalog.put(catalog)
    async with open_store(path) as store:
        assert (
            await store.users.by_username(user.username),
            await store.collections.get(user.id, collection.uuid),
            (await store.collections.page(user.id, 0, 0)).genre_counts,
            await store.catalog.page(1),
        ) == (
            user,
            collection,
            {"Crime": 1, "Drama": 2},
            CatalogPage(tuple(catalog), 2, 1, has_next=False),
        )


@pytest.mark.anyio
async def test_migrations_apply_once(path: Path) -> None:
    """Migrating and opening again and again keeps the data and records each version once."""
    user = _user()
    await migrate(path)
    async with open_store(path) as store:
        await store.users.add(user)
    await migrate(path)
    async with open_store(path) as store:
        found = await store.users.by_id(user.id)
    with closing(sqlite3.connect(path)) as connection:
        versions = connection.execute("SELECT version FROM schema_migrations").fetchall()
    assert (found, versions) == (user, shipped_versions("adapters.sqlite"))


@pytest.mark.anyio
async def test_ping_answers_while_open_and_fails_once_closed(path: Path) -> None:
    """The health check passes on an open store and reports the storage unavailable after."""
    async with open_store(path) as store:
        await store.ping()  # raises, failing the test, if the database does not answer
    with pytest.raises(StorageUnavailable):
        await store.ping()


@pytest.mark.anyio
async def test_missing_folder_is_unavailable(tmp_path: Path) -> None:
    """A database file in a folder that does not exist cannot be opened: storage unavailable."""
    with pytest.raises(StorageUnavailable):
        async with open_store(tmp_path / "missing" / "moviecore.sqlite3"):
            pass


@pytest.fixture
def not_a_database(path: Path) -> Path:
    """A file where the database should be, holding something else."""
    path.write_bytes(b"certainly not a database " * 100)
    return path


@pytest.mark.anyio
async def test_file_that_is_not_a_database_is_unavailable(not_a_database: Path) -> None:
    """A file holding something other than a SQLite database is reported as unavailable."""
    with pytest.raises(StorageUnavailable):
        async with open_store(not_a_database):
            pass


def _truncate_to_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _contents(path: Path) -> tuple[bytes, bytes]:
    """What the database file and its -wal file hold."""
    wal = path.with_name(f"{path.name}-wal")
    return path.read_bytes(), wal.read_bytes() if wal.exists() else b""


@pytest.mark.anyio
async def test_file_truncated_to_half_is_refused_as_damaged_by_its_name(path: Path) -> None:
    """A database file cut to half its size is refused on opening, as damaged, by name."""
    async with open_store(path) as store:
        await store.catalog.put(sample_catalog(500))
    _truncate_to_half(path)
    with pytest.raises(DamagedDatabase) as refused:
        async with open_store(path):
            pass
    assert str(refused.value).startswith(f"the SQLite database {path} is damaged (")


@pytest.mark.anyio
async def test_damage_found_while_open_is_logged_once_and_refuses_writes(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The file cut to half while open: reads of what was lost fail, the damage is logged
    at error once, the health check fails, and a write is refused, the files unchanged."""
    async with open_store(path) as store:
        await store.catalog.put(sample_catalog(500))
    async with open_store(path) as store:
        _truncate_to_half(path)
        for _ in range(2):
            with pytest.raises(StorageUnavailable):
                await store.catalog.page(50)
        before = _contents(path)
        with pytest.raises(StorageUnavailable) as refused:
            await store.users.add(_user())
        with pytest.raises(StorageUnavailable):
            await store.ping()
        after = _contents(path)
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert (str(refused.value), after == before, len(errors), str(path) in errors[0]) == (
        "the database is damaged; nothing is written to it until it is restored",
        True,
        1,
        True,
    )


@pytest.mark.anyio
async def test_update_failing_half_way_changes_nothing(path: Path) -> None:
    """An update whose last movie cannot be stored leaves the collection and its genres as
    they were."""
    user = _user()
    collection = _collection(user.id, _movie("Heat", "Crime"))
    broken = Movie(uuid4(), cast(str, None), "no title", "Comedy")
    async with open_store(path) as store:
        await store.users.add(user)
        await store.collections.add(collection)
        update = CollectionChanges(title="Changed", movies=(_movie("Up", "Drama"), broken))
        with pytest.raises(sqlite3.IntegrityError):
            await store.collections.update(user.id, collection.uuid, update)
        assert (
            await store.collections.get(user.id, collection.uuid),
            (await store.collections.page(user.id, 0, 0)).genre_counts,
        ) == (collection, {"Crime": 1})


@pytest.mark.anyio
async def test_add_failing_half_way_stores_nothing(path: Path) -> None:
    """A new collection whose last movie cannot be stored is not listed and counts no genres."""
    user = _user()
    broken = Movie(uuid4(), cast(str, None), "no title", "Comedy")
    async with open_store(path) as store:
        await store.users.add(user)
        with pytest.raises(sqlite3.IntegrityError):
            await store.collections.add(_collection(user.id, _movie("Up", "Drama"), broken))
        assert (await store.collections.page(user.id, 0, 10)) == CollectionSlice(
            summaries=(), count=0, genre_counts={}
        )


@pytest.mark.anyio
async def test_taken_username_leaves_no_account_behind(path: Path) -> None:
    """A registration refused for a taken name leaves no trace, even after a restart."""
    first = _user()
    second = User(uuid4(), first.username.upper(), "other hash")
    async with open_store(path) as store:
        await store.users.add(first)
        with pytest.raises(UsernameTaken):
            await store.users.add(second)
    async with open_store(path) as store:
        assert (
            await store.users.by_username(first.username),
            await store.users.by_id(second.id),
        ) == (first, None)
