"""The request counter of the embedded default: kept through a crash, stored for a power cut.

Counting a request is a write to memory: the count lives in a memory-mapped file
next to the database (``_count_file``), so the kernel keeps every count when the
process is killed, and the request path makes no system call for it. A
background task also writes the count to the ``request_count`` row about once a
second, and once more on close, for what a power cut would take from the file.

At start-up
    The count goes on from the larger of the file and the row. Between resets both
    only grow, so the larger is the later: the file after a crash (the row lags by
    up to a second), the row after a power cut that kept the file's last writes
    from the disk. A missing file (the first start, or the database of an older
    version) is created from the row; an unreadable one (wrong size or header) is
    logged, and written anew from the row.

Reset
    Zero goes into the file, which is forced to disk, then into the row; only then
    is the reset answered. The forced write keeps a power cut from bringing back a
    count from before an answered reset; a reset cut short by a crash before its
    answer may be undone.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from moviecore import StorageUnavailable

from ._count_file import CountFile, count_file_path, open_count_file
from ._database import Database
from ._store import SqliteStore

FLUSH_INTERVAL = 1.0

logger = logging.getLogger(__name__)


class SqliteRequestCounter:
    """The RequestCounter port for one process: a mapped file, and the ``request_count`` row.

    Use it through ``open_counter``, which also stores the count in the background.
    """

    def __init__(self, database: Database, file: CountFile, stored: int) -> None:
        self._database = database
        self._file = file
        self._stored: int | None = stored  # None: what the row holds is unknown
        self._value = _starting_count(file, stored)

    async def add(self, n: int = 1) -> None:
        """Count ``n`` more requests, in the mapped file only."""
        # What the file costs, measured against a count kept in memory only: 246 vs 129 ns
        # a call (1M awaited calls); GET /request-count/ counted over uncounted, medians of
        # 40 / 20 interleaved wrk rounds at 64 / 256 connections: 1.007 / 0.965 with the
        # file, 0.973 / 0.993 without: within this shared machine's noise (IQR +-15%).
        self._value += n
        self._file.write(self._value)

    async def read(self) -> int:
        """The count since the last reset, including what is not yet stored."""
        return self._value

    async def reset(self) -> None:
        """Start again from zero, in the file and in the stored row, before returning."""
        self._value = 0
        self._file.write(0)
        await self._write(0, sync_file=True)

    async def flush(self) -> None:
        """Write the count to the database if it changed since it was last written."""
        if self._value != self._stored:
            await self._write(self._value)

    @asynccontextmanager
    async def flushing(self, interval: float) -> AsyncIterator[None]:
        """Flush every ``interval`` seconds while inside, and once more on the way out."""
        task = asyncio.create_task(self._flush_every(interval))
        try:
            yield
        finally:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
            await self.flush()

    async def _flush_every(self, interval: float) -> None:
        while True:
            await asyncio.sleep(interval)
            try:
                await self.flush()
            except StorageUnavailable:
                # The count stays in the file; a later flush, or the one on close, stores it.
                logger.warning("could not store the request count", exc_info=True)

    async def _write(self, value: int, *, sync_file: bool = False) -> None:
        # Recorded before the write is queued: writes run in the order they are queued, so
        # a reset's 0 can never be overtaken by an older flush's value.
        self._stored = value

        def save(connection: sqlite3.Connection) -> None:
            if sync_file:  # on the writing thread: the event loop does not wait for the disk
                self._file.sync()
            connection.execute("UPDATE request_count SET n = ? WHERE id = 1", (value,))

        try:
            await self._database.write(save)
        except BaseException:
            self._stored = None
            raise


@asynccontextmanager
async def open_counter(
    store: SqliteStore, *, flush_interval: float = FLUSH_INTERVAL
) -> AsyncIterator[SqliteRequestCounter]:
    """The request counter of ``store``, stored every ``flush_interval`` seconds and on exit.

    Only the process that counts opens it: it holds the count file (``<database>-count``)
    until the block ends, and raises StorageUnavailable if another process holds it.
    """
    stored = await store.database.read(_stored_count)
    with open_count_file(count_file_path(store.path)) as file:
        counter = SqliteRequestCounter(store.database, file, stored)
        async with counter.flushing(flush_interval):
            yield counter


def _starting_count(file: CountFile, stored: int) -> int:
    """The larger of the file's count and the row's, written to the file if it lacks it."""
    if file.found is not None and file.found >= stored:
        return file.found
    if file.found is not None:
        logger.warning(
            "the request count file holds %d, the database %d (a power cut?): going on from %d",
            file.found,
            stored,
            stored,
        )
    file.write(stored)
    return stored


def _stored_count(connection: sqlite3.Connection) -> int:
    (value,) = connection.execute("SELECT n FROM request_count WHERE id = 1").fetchone()
    return int(value)
