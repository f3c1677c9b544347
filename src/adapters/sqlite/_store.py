"""The embedded-default store: every SQLite adapter over one database file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from ._catalog import SqliteMovieStore
from ._collections import SqliteCollectionRepository
from ._database import Database, open_database
from ._migrations import apply_migrations
from ._sessions import SqliteSessionStore
from ._sync_cursor import SqliteSyncCursor
from ._users import SqliteUserRepository


@dataclass(frozen=True, slots=True)
class SqliteStore:
    """The adapters of one open SQLite database, ready to wire into ``moviecore.Ports``.

    The request counter is opened apart, by the process that counts: ``open_counter``.
    """

    path: Path
    users: SqliteUserRepository
    collections: SqliteCollectionRepository
    catalog: SqliteMovieStore
    database: Database
    sync_cursor: SqliteSyncCursor
    sessions: SqliteSessionStore

    async def ping(self) -> None:
        """Return if the database answers a query; raise StorageUnavailable otherwise."""
        await self.database.read(_select_one)


@asynccontextmanager
async def open_store(path: Path) -> AsyncIterator[SqliteStore]:
    """Open (creating and migrating as needed) the SQLite database at ``path``."""
    async with open_database(path) as database:
        await database.write(apply_migrations)
        catalog = SqliteMovieStore(database)
        await catalog.add_missing_keys()
        yield SqliteStore(
            path=path,
            users=SqliteUserRepository(database),
            collections=SqliteCollectionRepository(database),
            catalog=catalog,
            database=database,
            sync_cursor=SqliteSyncCursor(database),
            sessions=SqliteSessionStore(database),
        )


def _select_one(connection: sqlite3.Connection) -> None:
    connection.execute("SELECT 1").fetchone()
