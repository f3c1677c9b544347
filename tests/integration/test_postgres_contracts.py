"""The PostgreSQL adapters pass the same contract suites as every other adapter of their ports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import psycopg
import pytest
from psycopg import sql

from adapters.postgres import PostgresStore, open_store
from fixtures.services import POSTGRES_ADMIN_URL
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
    SessionStoreContract,
    StorageFaultContract,
    SyncCursorContract,
    UserRepositoryContract,
)


@pytest.fixture
async def store(migrated_postgres_url: str) -> AsyncIterator[PostgresStore]:
    """A store on a freshly migrated database of its own, able to write on four connections."""
    async with open_store(migrated_postgres_url, max_size=4) as opened:
        yield opened


class TestPostgresUsers(UserRepositoryContract):
    """Accounts in PostgreSQL."""

    @pytest.fixture
    def users(self, store: PostgresStore) -> UserRepository:
        """The store's user repository."""
        return store.users


class TestPostgresCollections(CollectionRepositoryContract):
    """Collections in PostgreSQL, owners created in the same database."""

    @pytest.fixture
    def users(self, store: PostgresStore) -> UserRepository:
        """The store's user repository."""
        return store.users

    @pytest.fixture
    def collections(self, store: PostgresStore) -> CollectionRepository:
        """The store's collection repository."""
        return store.collections


class TestPostgresMovieStore(MovieStoreContract):
    """The local catalog in PostgreSQL."""

    @pytest.fixture
    def movie_store(self, store: PostgresStore) -> MovieStore:
        """The store's empty local catalog."""
        return store.catalog


class TestPostgresCatalogSearch(CatalogSearchContract):
    """Search of the local catalog in PostgreSQL, through its full-text index."""

    @pytest.fixture
    def movie_store(self, store: PostgresStore) -> MovieStore:
        """The store's empty local catalog."""
        return store.catalog


class TestPostgresSyncCursor(SyncCursorContract):
    """Where catalog syncs stopped, in the PostgreSQL database the movies go to."""

    @pytest.fixture
    def sync_cursor(self, store: PostgresStore) -> SyncCursor:
        """The store's sync cursor."""
        return store.sync_cursor


class TestPostgresSessions(SessionStoreContract):
    """Sessions in PostgreSQL, their users in the same database."""

    @pytest.fixture
    def users(self, store: PostgresStore) -> UserRepository:
        """The store's user repository."""
        return store.users

    @pytest.fixture
    def sessions(self, store: PostgresStore) -> SessionStore:
        """The store's session store."""
        return store.sessions


class TestPostgresStorageFaults(StorageFaultContract):
    """PostgreSQL's errors on a database that ended every session and refuses new ones come
    out as StorageUnavailable."""

    @pytest.fixture
    async def quick_store(self, migrated_postgres_url: str) -> AsyncIterator[PostgresStore]:
        """A store waiting a tenth of a second for a connection, so that refusals come soon."""
        async with open_store(migrated_postgres_url, max_size=2, wait=0.1) as opened:
            yield opened

    @pytest.fixture
    def users(self, quick_store: PostgresStore) -> UserRepository:
        """The store's user repository."""
        return quick_store.users

    @pytest.fixture
    def collections(self, quick_store: PostgresStore) -> CollectionRepository:
        """The store's collection repository."""
        return quick_store.collections

    @pytest.fixture
    def break_storage(self, migrated_postgres_url: str) -> BreakStorage:
        """Closes the database to new sessions and terminates the store's."""
        name = urlsplit(migrated_postgres_url).path.lstrip("/")

        async def terminate() -> None:
            async with await psycopg.AsyncConnection.connect(
                POSTGRES_ADMIN_URL, autocommit=True
            ) as admin:
                await admin.execute(
                    sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(
                        sql.Identifier(name)
                    )
                )
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = %(name)s",
                    {"name": name},
                )

        return terminate
