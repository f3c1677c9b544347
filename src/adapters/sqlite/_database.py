"""A SQLite file: writes on one dedicated thread, reads on a few others, none on the loop.

Every write runs on the same single writer thread, so no two writes interleave;
each is one transaction, committed whole or rolled back. Reads run on READERS
threads of their own, each with a read-only connection of its own, each read in a
transaction of its own: in WAL mode a read sees the last committed state, never a
write half done, and neither waits for the other. The event loop only hands the
work over and takes the answer back, so that a search through the whole catalog
holds up no other request of the worker.

A damaged file
    ``verify`` runs SQLite's quick check (0.12 s for a catalog of 45,466 movies), which
    a start calls before anything else. While serving, an error that blames the file
    (SQLITE_CORRUPT, SQLITE_NOTADB, SQLITE_IOERR) has the file checked again, on the
    writer's thread. If the check fails, the damage is logged at error, once; the
    health check fails; and every write from then on is refused before it touches the
    file, since writing into a damaged file can only spread the damage. Reads go on,
    for what can still be read.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from functools import partial
from pathlib import Path
from typing import TypeVar

from moviecore import StorageUnavailable

from ._connections import Connections, Work, connect, open_connections
from ._thread import WorkerThreads

T = TypeVar("T")

READERS = 2
"""Reading threads, each with its connection. SQLite lets go of the GIL while it steps
through a statement, so two reads (or a read and the loop) use both cores of a small
machine, and a short read passes a long search.

Measured with ``make bench`` (``live``, ``searching``) on 45,466 movies, medians of three
alternating rounds on a shared 2-core machine (load average 12 to 19): GET /health/live/
beside 8 clients' new searches p50 0.8 ms, p99 217 ms (idle 0.6 and 8.7 ms), against
p50 68.7 ms, p99 924 ms (idle 0.7 and 52.5 ms) with reads on the event loop. One
reading thread gave the same within that machine's noise (seven alternating rounds:
p99 180 against 208 ms, 177 against 180 searches/s), but would queue every read,
a login's or a collection's, behind each search under way."""

DAMAGED = "the database is damaged; nothing is written to it until it is restored"
"""What a refused write answers: the file's name and the remedy are for the log."""
_REMEDY = (
    "restore it from a backup, or move it away with its -wal and -shm files"
    " to start with an empty database"
)

# Primary result codes that blame the file itself: it is checked when one comes.
_SUSPECT_CODES = frozenset({sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})
# Primary result codes that mean the database file, not our SQL, is at fault.
_UNAVAILABLE_CODES = _SUSPECT_CODES | {
    sqlite3.SQLITE_BUSY,
    sqlite3.SQLITE_LOCKED,
    sqlite3.SQLITE_NOMEM,
    sqlite3.SQLITE_READONLY,
    sqlite3.SQLITE_FULL,
    sqlite3.SQLITE_CANTOPEN,
    sqlite3.SQLITE_PROTOCOL,
}

logger = logging.getLogger(__name__)


class DamagedDatabase(StorageUnavailable):
    """The SQLite file is damaged; the message names it and says what to do."""


class Database:
    """A SQLite file: a writing connection on its thread, reading ones on theirs."""

    def __init__(self, path: Path, writer: Connections, readers: Connections) -> None:
        self.path = path
        self._writer = writer
        self._readers = readers
        self._closed = False
        # What the check found wrong with the file; set on the writer's thread.
        self._damage: str | None = None

    async def read(self, work: Work[T]) -> T:
        """Run ``work`` in a read transaction, so it sees one consistent snapshot."""
        self._check_open()
        return await self._run(self._readers, partial(_in_transaction, "BEGIN", work))

    async def write(self, work: Work[T]) -> T:
        """Run ``work`` in a write transaction: all of it is committed, or none of it.

        Raise StorageUnavailable, writing nothing, once the file is known to be damaged.
        """
        self._check_open()
        self._refuse_if_damaged()
        return await self._run(self._writer, partial(self._write_on, work))

    async def ping(self) -> None:
        """Return if the file is not known to be damaged and answers a query; raise
        StorageUnavailable otherwise."""
        self._refuse_if_damaged()
        await self.read(_select_one)

    async def verify(self) -> None:
        """Raise DamagedDatabase, naming the file and the remedy, if SQLite finds it damaged."""
        self._check_open()
        problem = await self._writer.run(lambda _: _integrity_problem(self.path))
        if problem is not None:
            raise DamagedDatabase(_damaged(self.path, problem, _REMEDY))

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

    def _refuse_if_damaged(self) -> None:
        if self._damage is not None:
            raise StorageUnavailable(DAMAGED)

    def _write_on(self, work: Work[T], connection: sqlite3.Connection) -> T:
        # Checked again on the writer's thread: a write queued before the damage was
        # found must not run after it.
        self._refuse_if_damaged()
        # IMMEDIATE takes the write lock up front, so a transaction never fails half way
        # because another process started writing after it read.
        return _in_transaction("BEGIN IMMEDIATE", work, connection)

    async def _run(self, connections: Connections, work: Work[T]) -> T:
        try:
            return await connections.run(work)
        except sqlite3.DatabaseError as exc:
            code = _primary_code(exc)
            if code in _SUSPECT_CODES:
                await self._check_after_error()
            if code in _UNAVAILABLE_CODES:
                raise StorageUnavailable(f"SQLite database unavailable: {exc}") from exc
            raise

    async def _check_after_error(self) -> None:
        """Check the file; if it is damaged, refuse writes from now on and say so once."""
        if self._damage is None:
            problem = await self._writer.run(self._check_on)
            if problem is not None:
                logger.error(
                    _damaged(self.path, problem, f"writes are refused from now on; {_REMEDY}")
                )

    def _check_on(self, writer: sqlite3.Connection) -> str | None:
        """On the writer's thread, so that no write runs between the check and the damage
        found being recorded: the problem, if this check is the first to find one."""
        if self._damage is not None:
            return None
        self._damage = _integrity_problem(self.path)
        return self._damage


@asynccontextmanager
async def open_database(path: Path) -> AsyncIterator[Database]:
    """Connect to the SQLite file at ``path`` on fresh threads; close on exit.

    Raise DamagedDatabase if SQLite says it is not a database, or a damaged one, as
    it opens; StorageUnavailable if it cannot be opened.
    """
    try:
        writer = await open_connections(
            WorkerThreads("moviecore-sqlite-writer"), path, read_only=False
        )
    except sqlite3.DatabaseError as exc:
        raise _unopened(path, exc) from exc
    try:
        threads = WorkerThreads("moviecore-sqlite-reader", READERS)
        readers = await open_connections(threads, path, read_only=True)
    except BaseException as exc:
        await writer.close()
        if isinstance(exc, sqlite3.DatabaseError):
            raise _unopened(path, exc) from exc
        raise
    database = Database(path, writer, readers)
    try:
        yield database
    finally:
        await database.close()


def _unopened(path: Path, exc: sqlite3.DatabaseError) -> Exception:
    """What to raise for ``exc``, met while opening the file at ``path``."""
    code = _primary_code(exc)
    if code in _SUSPECT_CODES:
        return DamagedDatabase(_damaged(path, str(exc), _REMEDY))
    if code in _UNAVAILABLE_CODES:
        return StorageUnavailable(f"SQLite database unavailable: {exc}")
    return exc


def _damaged(path: Path, problem: str, then: str) -> str:
    """One line: which file is damaged, what SQLite found, and ``then``."""
    found = " ".join(problem.split())  # SQLite's report may span lines
    return f"the SQLite database {path} is damaged ({found}): {then}"


def _primary_code(exc: sqlite3.DatabaseError) -> int | None:
    return None if exc.sqlite_errorcode is None else exc.sqlite_errorcode & 0xFF


def _integrity_problem(path: Path) -> str | None:
    """The first problem SQLite's quick check finds in the file at ``path``, or None.

    It reads through a connection of its own: another's cache may still hold pages
    that the file has lost.
    """
    try:
        with closing(connect(path, read_only=True)) as connection:
            ((result,),) = connection.execute("PRAGMA quick_check(1)").fetchall()
    except sqlite3.DatabaseError as exc:  # so damaged that the check cannot finish
        return str(exc)
    return None if result == "ok" else str(result)


def _select_one(connection: sqlite3.Connection) -> None:
    connection.execute("SELECT 1").fetchone()


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
