"""A SQLite file: writes on one dedicated thread, reads on the event loop's own.

Every write runs on the same single worker thread, so no two writes interleave;
each is one transaction, committed whole or rolled back. Reads are short and
bounded (a page, one collection, one user), so they run right where they are
asked, on a second connection, each in a transaction of its own: cheaper than a
hop to another thread and back. In WAL mode a read sees the last committed
state, never a write half done, and does not wait for a write under way.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path
from typing import TypeVar

from moviecore import StorageUnavailable

from ._thread import WorkerThread

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
READ_BUSY_TIMEOUT_MS = 200
"""A read blocks the event loop while it waits, so it waits little; WAL readers rarely do."""

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
    """A SQLite file: a writing connection on a worker thread, a reading one here."""

    def __init__(
        self, thread: WorkerThread, writer: sqlite3.Connection, reader: sqlite3.Connection
    ) -> None:
        self._thread = thread
        self._writer = writer
        self._reader = reader
        self._closed = False

    async def read(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in a read transaction, so it sees one consistent snapshot."""
        self._check_open()
        with _translated():
            return _in_transaction("BEGIN", work, self._reader)

    async def write(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in a write transaction: all of it is committed, or none of it."""
        self._check_open()
        # IMMEDIATE takes the write lock up front, so a transaction never fails half way
        # because another process started writing after it read.
        unit = partial(_in_transaction, "BEGIN IMMEDIATE", work, self._writer)
        return await _run(self._thread, unit)

    async def close(self) -> None:
        """Close both connections once the writes already queued have run."""
        if self._closed:
            return
        self._closed = True
        self._reader.close()
        try:
            await _run(self._thread, self._writer.close)
        finally:
            self._thread.stop()

    def _check_open(self) -> None:
        if self._closed:
            raise StorageUnavailable("the SQLite database is closed")


@asynccontextmanager
async def open_database(path: Path) -> AsyncIterator[Database]:
    """Connect to the SQLite file at ``path`` on a fresh worker thread; close on exit."""
    thread = WorkerThread("moviecore-sqlite")
    try:
        writer = await _run(thread, partial(_connect, path, BUSY_TIMEOUT_MS))
    except BaseException:
        thread.stop()
        raise
    try:
        with _translated():
            reader = _connect(path, READ_BUSY_TIMEOUT_MS)
    except BaseException:
        await _run(thread, writer.close)
        thread.stop()
        raise
    database = Database(thread, writer, reader)
    try:
        yield database
    finally:
        await database.close()


async def _run(thread: WorkerThread, work: Callable[[], T]) -> T:
    with _translated():
        return await thread.submit(work)


@contextmanager
def _translated() -> Iterator[None]:
    """Turn SQLite's errors about the file itself into StorageUnavailable."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode is not None and exc.sqlite_errorcode & 0xFF in _UNAVAILABLE_CODES:
            raise StorageUnavailable(f"SQLite database unavailable: {exc}") from exc
        raise


def _connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    # isolation_level=None: the module starts no transactions; _in_transaction does.
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
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
