"""The connection pool and the one way adapters use it: a transaction per call.

Connection failures (including a pool that found no free connection in time, whose
``PoolTimeout`` is an ``OperationalError``) become ``StorageUnavailable`` here, so no
repository needs to know about them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from moviecore import StorageUnavailable

Connection: TypeAlias = psycopg.AsyncConnection[TupleRow]

QUICK_WAIT = 0.5
"""Seconds a caller waits for a pooled connection before asking whether the database is up."""

PROBE_TIMEOUT = 2
"""Seconds a direct connection attempt may take before the database counts as down."""

PROBE_REUSE = 1.0
"""Seconds one probe's answer serves every caller that asks meanwhile."""


class Pool(AsyncConnectionPool[Connection]):
    """A connection pool that reports a database it cannot reach at once, not at its timeout.

    A caller that gets no connection quickly is either queued behind others (the
    database is up, the pool busy: it keeps waiting) or waiting in vain while the
    pool retries a database that is down. One direct connection attempt, shared by
    the callers asking within PROBE_REUSE seconds, tells the two apart, so requests
    fail fast during an outage instead of each hanging for the whole timeout.
    """

    def __init__(self, conninfo: str, **options: Any) -> None:
        super().__init__(conninfo, **options)
        self._url = conninfo
        self._probe_lock = asyncio.Lock()
        self._probed_at = -PROBE_REUSE
        self._probe_error: str | None = None

    # The pool's own signature, timeout parameter included, so every caller gets this one.
    async def getconn(self, timeout: float | None = None) -> Connection:  # noqa: ASYNC109
        """A connection; raise OperationalError soon if the database does not answer."""
        timeout = self.timeout if timeout is None else timeout
        started = time.monotonic()
        try:
            return await super().getconn(min(timeout, QUICK_WAIT))
        except PoolTimeout:
            if timeout <= QUICK_WAIT:
                raise
        await self._check_reachable()
        return await super().getconn(max(0.0, timeout - (time.monotonic() - started)))

    async def _check_reachable(self) -> None:
        async with self._probe_lock:
            if time.monotonic() - self._probed_at >= PROBE_REUSE:
                self._probe_error = await _connection_error(self._url)
                self._probed_at = time.monotonic()
            error = self._probe_error
        if error is not None:
            raise psycopg.OperationalError(error)


async def _connection_error(conninfo: str) -> str | None:
    """Why a new connection to ``conninfo`` fails, or None if it succeeds."""
    try:
        connection = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=PROBE_TIMEOUT)
    except psycopg.OperationalError as exc:
        return str(exc)
    await connection.close()
    return None


@asynccontextmanager
async def transaction(pool: Pool, wait: float | None = None) -> AsyncIterator[Connection]:
    """A pooled connection inside one transaction: committed on exit, rolled back on error.

    ``wait`` bounds the wait for a free connection (the pool's own timeout if None).
    """
    try:
        async with pool.connection(wait) as conn, conn.transaction():
            yield conn
    except psycopg.OperationalError as exc:
        raise StorageUnavailable("the database cannot be reached") from exc


async def scalar(conn: Connection, query: str, params: tuple[object, ...] = ()) -> int:
    """The one integer that ``query`` answers, such as a count or a RETURNING id."""
    cursor = await conn.execute(query, params)
    [(value,)] = await cursor.fetchall()
    return int(value)
