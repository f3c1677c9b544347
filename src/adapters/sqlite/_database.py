"""One SQLite connection on one dedicated thread, and a transaction per unit of work.

Every unit of work runs on the same single worker thread, so requests from the
event loop are serialized: a read never observes a write half done, and no two
writes interleave. Each unit is one transaction, committed whole or rolled back.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

from moviecore import StorageUnavailable

from ._thread import WorkerThread

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000

# Primary result codes that mean the database file, not our SQL, is at fault.
_UNAVAILABLE_CODES = frozenset(
    {
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_NOMEM,
        sqlite3.SQLITE_READONLY,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_CORRUPT,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_PROTOCOL,
        sqlite3.SQLITE_NOTADB,
    }
)


class Database:
    """A SQLite file reached through one connection owned by one worker thread."""

    def __init__(self, thread: WorkerThread, connection: sqlite3.Connection) -> None:
        self._thread = thread
        self._connection = connection
        self._closed = False

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in a read transaction, so it sees one consistent snapshot."""
        return await self._call("BEGIN", work)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in a write transaction: all of it is committed, or none of it."""
        # IMMEDIATE takes the write lock up front, so a transaction never fails half way
        # because another process started writing after it read.
        return await self._call("BEGIN IMMEDIATE", work)

    async def close(self) -> None:
        """Close the connection once the work already queued has run."""
        if self._closed:
            return
        self._closed = True
        try:
            await _run(self._thread, self._connection.close)
        finally:
            self._thread.stop()

    async def _call(self, begin: str, work: Callable[[sqlite3.Connection], T]) -> T:
        if self._closed:
            raise StorageUnavailable("the SQLite database is closed")
        return await _run(self._thread, partial(_in_transaction, begin, work, self._connection))


@asynccontextmanager
async def open_database(path: Path) -> AsyncIterator[Database]:
    """Connect to the SQLite file at ``path`` on a fresh worker thread; close on exit."""
    thread = WorkerThread("moviecore-sqlite")
    try:
        connection = await _run(thread, partial(_connect, path))
    except BaseException:
        thread.stop()
        raise
    database = Database(thread, connection)
    try:
        yield database
    finally:
        await database.close()


async def _run(thread: WorkerThread, work: Callable[[], T]) -> T:
    try:
        return await thread.submit(work)
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode is not None and exc.sqlite_errorcode & 0xFF in _UNAVAILABLE_CODES:
            raise StorageUnavailable(f"SQLite database unavailable: {exc}") from exc
        raise


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: the module starts no transactions; _in_transaction does.
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _in_transaction(
    begin: str, work: Callable[[sqlite3.Connection], T], connection: sqlite3.Connection
) -> T:
    connection.execute(begin)
    try:
        result = work(connection)
        connection.execute("COMMIT")
    except BaseException:
        # Some errors (a full disk, say) have already rolled the transaction back.
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        raise
    return result
