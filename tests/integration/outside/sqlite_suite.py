"""The outside team's SQLite adapters keep the contracts, the fault hook and the rules."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from sqlite_adapters import SqliteCollections, SqliteUsers, connect

from moviecore.testing.contracts import (
    BreakStorage,
    CollectionRepositoryContract,
    StorageFaultContract,
    UserRepositoryContract,
)
from moviecore.testing.stateful import collection_rules


class TestUsers(UserRepositoryContract):
    """Accounts in SQLite keep the user repository contract."""

    @pytest.fixture
    def users(self) -> SqliteUsers:
        return SqliteUsers(connect())


class TestCollections(CollectionRepositoryContract):
    """Collections in SQLite keep the collection contract, owners in the contract's store."""

    @pytest.fixture
    def collections(self) -> SqliteCollections:
        return SqliteCollections(connect())


class TestFaults(StorageFaultContract):
    """A closed connection shows as StorageUnavailable on every call."""

    @pytest.fixture
    def connection(self) -> sqlite3.Connection:
        return connect()

    @pytest.fixture
    def users(self, connection: sqlite3.Connection) -> SqliteUsers:
        return SqliteUsers(connection)

    @pytest.fixture
    def collections(self, connection: sqlite3.Connection) -> SqliteCollections:
        return SqliteCollections(connection)

    @pytest.fixture
    def break_storage(self, connection: sqlite3.Connection) -> BreakStorage:
        async def close() -> None:
            connection.close()

        return close


@asynccontextmanager
async def open_store() -> AsyncIterator[SimpleNamespace]:
    """A fresh database in memory, for each run of the collection rules."""
    connection = connect()
    yield SimpleNamespace(users=SqliteUsers(connection), collections=SqliteCollections(connection))
    connection.close()


TestRules = collection_rules(open_store).TestCase
