"""A SQLite file: writes on one dedicated thread, reads on a few others, none on the loop.

Every write runs on the same single writer thread, so no two writes interleave;
each is one transaction, committed whole or rolled back. Reads run on READERS
threads of their own, each with a read-only connection of its own, each read in a
transaction of its own: in WAL mode a read sees the last committed state, never a
write half done, and neither waits for the other. The event loop only hands the
work over and takes the answer back, so that a search through the whole catalog
holds up no other request of the worker.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path
from queue import SimpleQueue
from typing import TypeVar

from moviecore import StorageUnavailable

from ._thread import WorkerThreads

T = TypeVar("T")

BUSY_TIMEOUT_MS = 5000
READERS = 2
"""Reading threads, each with its connection. SQLite lets go of the GIL while it steps
through a statement, so two reads (or a read and the loop) use both cores of a small
machine; more threads would only queue for the same cores."""

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

Work = Callable[[sqlite3.Connection], T]


class Database:
    """A SQLite file: a writing connection on its thread, reading ones on theirs."""

    def __init__(self, writer: _Connections, readers: _Connections) -> None:
        self._writer = writer
        self._readers = readers
        self._closed = False

    async def read(self, work: Work[T]) -> T:
        """Run ``work`` in a read transaction, so it sees one consistent snapshot."""
        self._check_open()
        return await self._run(self._readers, partial(_in_transaction, "BEGIN", work))

    async def write(self, work: Work[T]) -> T:
        """Run ``work`` in a write transaction: all of it is committed, or none of it."""
        self._check_open()
        # IMMEDIATE takes the write lock up front, so a transaction never fails half way
        # because another process started writing after it read.
        return await self._run(self._writer, partial(_in_transaction, "BEGIN IMMEDIATE", work))

    async def close(self) -> None:
        """Close every connection once the work already queued has run."""
        if self._closed:
            return
        self._closed = True
        try:
            await self._readers.close()
        finally:
            await self._writer.close()

    def _check_open(self) -> None:
        if self._closed:
            raise StorageUnavailable("the SQLite database is closed")

    async def _run(self, connections: _Connections, work: Work[T]) -> T:
        with _translated():
            return await connections.run(work)


class _Connections:
    """Threads, each using one connection of the same number kept here while idle."""

    def __init__(self, threads: WorkerThreads, connections: list[sqlite3.Connection]) -> None:
        self._threads = threads
        self._count = len(connections)
        self._idle: SimpleQueue[sqlite3.Connection] = SimpleQueue()
        for connection in connections:
            self._idle.put(connection)

    def run(self, work: Work[T]) -> asyncio.Future[T]:
        """Run ``work`` on the first thread free, with a connection no other thread uses."""
        return self._threads.submit(partial(self._with_idle, work))

    async def close(self) -> None:
        """Close each connection after the work queued before, then end the threads."""
        try:
            # A connection is idle only between two calls: once each is closed, every call
            # queued before has run.
            await asyncio.gather(*(self.run(sqlite3.Connection.close) for _ in range(self._count)))
        finally:
            self._threads.stop()

    def _with_idle(self, work: Work[T]) -> T:
        # As many connections as threads: one is always idle for the thread taking it.
        connection = self._idle.get()
        try:
            return work(connection)
        finally:
            self._idle.put(connection)


@asynccontextmanager
async def open_database(path: Path) -> AsyncIterator[Database]:
    """Connect to the SQLite file at ``path`` on fresh threads; close on exit."""
    with _translated():
        writer = await _open_connections("moviecore-sqlite-writer", 1, path, read_only=False)
        try:
            readers = await _open_connections(
                "moviecore-sqlite-reader", READERS, path, read_only=True
            )
        except BaseException:
            await writer.close()
            raise
    database = Database(writer, readers)
    try:
        yield database
    finally:
        await database.close()


async def _open_connections(name: str, count: int, path: Path, *, read_only: bool) -> _Connections:
    threads = WorkerThreads(name, count)
    connections: list[sqlite3.Connection] = []
    try:
        for _ in range(count):
            connections.append(await threads.submit(partial(_connect, path, read_only=read_only)))
    except BaseException:
        for connection in connections:
            connection.close()
        threads.stop()
        raise
    return _Connections(threads, connections)


@contextmanager
def _translated() -> Iterator[None]:
    """Turn SQLite's errors about the file itself into StorageUnavailable."""
    try:
        yield
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode is not None and exc.sqlite_errorcode & 0xFF in _UNAVAILABLE_CODES:
            raise StorageUnavailable(f"SQLite database unavailable: {exc}") from exc
        raise


def _connect(path: Path, *, read_only: bool) -> sqlite3.Connection:
    # isolation_level=None: the module starts no transactions; _in_transaction does.
    # check_same_thread=False: a connection moves between its threads, one at a time.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        if read_only:  # the file is in WAL mode already: the writer connects first
            connection.execute("PRAGMA query_only = ON")
        else:
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        connection.close()
        raise
    return connection


def _in_transaction(begin: str, work: Work[T], connection: sqlite3.Connection) -> T:
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
