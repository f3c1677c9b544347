"""The embedded-default store: every SQLite adapter over one database file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from ._catalog import SqliteMovieStore
from ._collections import SqliteCollectionRepository
from ._database import Database, open_database
from ._migrations import bring_up_to_date
from ._sessions import SqliteSessionStore
from ._sync_cursor import SqliteSyncCursor
from ._users import SqliteUserRepository


@dataclass(frozen=True, slots=True)
class SqliteStore:
    """The adapters of one open SQLite database, ready to wire into ``moviecore.ports.Ports``.

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
        """Return if the database answers a query and is not known to be damaged; raise
        StorageUnavailable otherwise."""
        await self.database.ping()


@asynccontextmanager
async def open_store(path: Path, *, verify: bool = True) -> AsyncIterator[SqliteStore]:
    """Open (creating and migrating as needed) the SQLite database at ``path``.

    Unless ``verify`` is False, the file is checked first: DamagedDatabase, naming it,
    if it is damaged (a start checks it once, before its workers open it unchecked).
    SchemaTooNew if a newer build migrated it past what this one can run with.
    """
    async with open_database(path) as database:
        if verify:
            await database.verify()
        await bring_up_to_date(database)
        yield SqliteStore(
            path=path,
            users=SqliteUserRepository(database),
            collections=SqliteCollectionRepository(database),
            catalog=SqliteMovieStore(database),
            database=database,
            sync_cursor=SqliteSyncCursor(database),
            sessions=SqliteSessionStore(database),
        )
