"""The collection rules' state machine on the SQLite and PostgreSQL stores, as on memory
(tests/unit/test_collection_rules.py): the same runs, checked against the same model."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from hypothesis import settings

from adapters import postgres, sqlite
from fixtures.services import migrated_database
from moviecore.testing.stateful import RULES_SETTINGS, collection_rules

# A third of the in-memory machine's runs: each step is a transaction here. The full 30
# runs took 37 s on PostgreSQL and 26 s on SQLite, against 10 s in memory (same machine).
STORE_SETTINGS = settings(RULES_SETTINGS, max_examples=10)

_DATABASE: dict[str, str] = {}
"""The URL of the PostgreSQL database the machine's runs share, while its test runs."""


@pytest.fixture(scope="class")
def rules_database() -> Iterator[None]:
    """One migrated database for every run of the machine: each run's owners are new users."""
    with migrated_database() as url:
        _DATABASE["url"] = url
        yield
        del _DATABASE["url"]


@asynccontextmanager
async def _postgres_store() -> AsyncIterator[postgres.PostgresStore]:
    async with postgres.open_store(_DATABASE["url"], max_size=2) as store:
        yield store


@asynccontextmanager
async def _sqlite_store() -> AsyncIterator[sqlite.SqliteStore]:
    with tempfile.TemporaryDirectory(prefix="moviecore-rules-") as folder:
        async with sqlite.open_store(Path(folder) / "moviecore.sqlite3") as store:
            yield store


TestSqliteCollectionRules = collection_rules(_sqlite_store, settings=STORE_SETTINGS).TestCase


@pytest.mark.usefixtures("rules_database")
class TestPostgresCollectionRules(
    collection_rules(_postgres_store, settings=STORE_SETTINGS).TestCase  # type: ignore[misc]
):
    """The machine's runs on PostgreSQL, one database for them all."""
