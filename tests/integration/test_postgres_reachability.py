"""PostgreSQL when the database can or cannot be reached.

Concurrent writes are contract cases (moviecore.testing.contracts), run on every adapter.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from uuid import uuid4

import pytest

from adapters.postgres import PostgresStore, migrate, open_store
from moviecore import StorageUnavailable


@pytest.fixture
async def store(migrated_postgres_url: str) -> AsyncIterator[PostgresStore]:
    """A store on a freshly migrated database."""
    async with open_store(migrated_postgres_url, max_size=2) as opened:
        yield opened


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
