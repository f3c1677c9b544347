"""The embedded-default store: every SQLite adapter over one database file."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from ._catalog import SqliteMovieStore
from ._collections import SqliteCollectionRepository
from ._counter import FLUSH_INTERVAL, SqliteRequestCounter
from ._database import Database, open_database
from ._migrations import apply_migrations
from ._users import SqliteUserRepository


@dataclass(frozen=True, slots=True)
class SqliteStore:
    """The adapters of one open SQLite database, ready to wire into ``moviecore.Ports``."""

    users: SqliteUserRepository
    collections: SqliteCollectionRepository
    catalog: SqliteMovieStore
    counter: SqliteRequestCounter
    database: Database

    async def ping(self) -> None:
        """Return if the database answers a query; raise StorageUnavailable otherwise."""
        await self.database.read(_select_one)


@asynccontextmanager
async def open_store(
    path: Path, *, flush_interval: float = FLUSH_INTERVAL
) -> AsyncIterator[SqliteStore]:
    """Open (creating and migrating as needed) the SQLite database at ``path``.

    The request count is flushed every ``flush_interval`` seconds and on exit,
    after which the database is closed.
    """
    async with open_database(path) as database:
        await database.write(apply_migrations)
        counter = await SqliteRequestCounter.load(database)
        catalog = SqliteMovieStore(database)
        await catalog.add_missing_keys()
        async with counter.flushing(flush_interval):
            yield SqliteStore(
                users=SqliteUserRepository(database),
                collections=SqliteCollectionRepository(database),
                catalog=catalog,
                counter=counter,
                database=database,
            )


def _select_one(connection: sqlite3.Connection) -> None:
    connection.execute("SELECT 1").fetchone()
