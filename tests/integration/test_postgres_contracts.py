"""The PostgreSQL adapters pass the same contract suites as every other adapter of their ports."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from adapters.postgres import PostgresStore, migrate, open_store
from moviecore.ports import (
    CollectionRepository,
    MovieStore,
    SessionStore,
    SyncCursor,
    UserRepository,
)
from moviecore.testing.contracts import (
    CatalogSearchContract,
    CollectionRepositoryContract,
    MovieStoreContract,
    SessionStoreContract,
    SyncCursorContract,
    UserRepositoryContract,
)


@pytest.fixture
async def store(postgres_url: str) -> AsyncIterator[PostgresStore]:
    """A store on a freshly migrated database of its own, able to write on four connections."""
    await migrate(postgres_url)
    async with open_store(postgres_url, max_size=4) as opened:
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
