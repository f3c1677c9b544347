"""The SQLite adapters pass the same contract suites as every other adapter of their ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from adapters.sqlite import SqliteRequestCounter, SqliteStore, open_counter, open_store
from moviecore.ports import (
    CollectionRepository,
    MovieStore,
    SessionStore,
    SyncCursor,
    UserRepository,
)
from moviecore.testing.contracts import (
    BreakStorage,
    CatalogSearchContract,
    CollectionRepositoryContract,
    MovieStoreContract,
    RequestCounterContract,
    SessionStoreContract,
    StorageFaultContract,
    SyncCursorContract,
    UserRepositoryContract,
)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A freshly created SQLite store in a file of its own."""
    async with open_store(tmp_path / "moviecore.sqlite3") as opened:
        yield opened


class TestSqliteUsers(UserRepositoryContract):
    """Accounts in SQLite."""

    @pytest.fixture
    def users(self, store: SqliteStore) -> UserRepository:
        """The store's user repository."""
        return store.users


class TestSqliteCollections(CollectionRepositoryContract):
    """Collections in SQLite, owners created in the same store."""

    @pytest.fixture
    def users(self, store: SqliteStore) -> UserRepository:
        """The store's user repository."""
        return store.users

    @pytest.fixture
    def collections(self, store: SqliteStore) -> CollectionRepository:
        """The store's collection repository."""
        return store.collections


class TestSqliteMovieStore(MovieStoreContract):
    """The local catalog in SQLite."""

    @pytest.fixture
    def movie_store(self, store: SqliteStore) -> MovieStore:
        """The store's empty local catalog."""
        return store.catalog


class TestSqliteRequestCounter(RequestCounterContract):
    """The request counter in a mapped file, stored in the database too."""

    @pytest.fixture
    async def counter(self, store: SqliteStore) -> AsyncIterator[SqliteRequestCounter]:
        """The store's fresh request counter."""
        async with open_counter(store) as opened:
            yield opened


class TestSqliteCatalogSearch(CatalogSearchContract):
    """Search of the local catalog in SQLite, through FTS5."""

    @pytest.fixture
    def movie_store(self, store: SqliteStore) -> MovieStore:
        """The store's empty local catalog."""
        return store.catalog


class TestSqliteSyncCursor(SyncCursorContract):
    """Where catalog syncs stopped, in the SQLite database the movies go to."""

    @pytest.fixture
    def sync_cursor(self, store: SqliteStore) -> SyncCursor:
        """The store's sync cursor."""
        return store.sync_cursor


class TestSqliteSessions(SessionStoreContract):
    """Sessions in SQLite, their users in the same database."""

    @pytest.fixture
    def users(self, store: SqliteStore) -> UserRepository:
        """The store's user repository."""
        return store.users

    @pytest.fixture
    def sessions(self, store: SqliteStore) -> SessionStore:
        """The store's session store."""
        return store.sessions


class TestSqliteStorageFaults(StorageFaultContract):
    """SQLite's errors on a database file overwritten under the open store come out as
    StorageUnavailable."""

    @pytest.fixture
    def users(self, store: SqliteStore) -> UserRepository:
        """The store's user repository."""
        return store.users

    @pytest.fixture
    def collections(self, store: SqliteStore) -> CollectionRepository:
        """The store's collection repository."""
        return store.collections

    @pytest.fixture
    def break_storage(self, store: SqliteStore) -> BreakStorage:
        """Overwrites the database file and its journals with garbage, as a failing disk
        might."""

        async def overwrite() -> None:
            for path in store.path.parent.glob(f"{store.path.name}*"):
                path.write_bytes(b"\xff" * path.stat().st_size)

        return overwrite
