"""The request counter of the embedded default: counted in memory, persisted in the background.

Counting a request touches no file. A background task writes the count to the
``request_count`` row about once a second, and once more on close, so a graceful
restart loses nothing; the stored count is read back at open.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from moviecore import StorageUnavailable

from ._database import Database

FLUSH_INTERVAL = 1.0

logger = logging.getLogger(__name__)


class SqliteRequestCounter:
    """The RequestCounter port for one process, backed by the ``request_count`` row."""

    def __init__(self, database: Database, value: int) -> None:
        self._database = database
        self._value = value
        self._stored: int | None = value  # None: what the row holds is unknown

    @classmethod
    async def load(cls, database: Database) -> SqliteRequestCounter:
        """A counter that continues from the count stored in ``database``."""
        return cls(database, await database.read(_stored_count))

    async def add(self, n: int = 1) -> None:
        """Count ``n`` more requests, in memory only."""
        self._value += n

    async def read(self) -> int:
        """The count since the last reset, including what is not yet stored."""
        return self._value

    async def reset(self) -> None:
        """Start again from zero, in memory and in the stored row at once."""
        self._value = 0
        await self._write(0)

    async def flush(self) -> None:
        """Write the count to the database if it changed since it was last written."""
        if self._value != self._stored:
            await self._write(self._value)

    @asynccontextmanager
    async def flushing(self, interval: float = FLUSH_INTERVAL) -> AsyncIterator[None]:
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
                # The count stays in memory; a later flush, or the one on close, stores it.
                logger.warning("could not store the request count", exc_info=True)

    async def _write(self, value: int) -> None:
        # Recorded before the write is queued: writes run in the order they are queued, so
        # a reset's 0 can never be overtaken by an older flush's value.
        self._stored = value
        try:
            await self._database.write(lambda connection: _save(connection, value))
        except BaseException:
            self._stored = None
            raise


def _stored_count(connection: sqlite3.Connection) -> int:
    (value,) = connection.execute("SELECT n FROM request_count WHERE id = 1").fetchone()
    return int(value)


def _save(connection: sqlite3.Connection, value: int) -> None:
    connection.execute("UPDATE request_count SET n = ? WHERE id = 1", (value,))
