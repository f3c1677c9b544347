"""The connection pool, and the two ways adapters use it: a read, or a transaction.

Pooled connections run in autocommit, so a read is its statement and nothing else:
one round trip, no BEGIN, no COMMIT, no rollback when the connection goes back.
Writes, and reads that need one snapshot over several statements, run ``write``.

A connection the database dropped is not handed out when that can be seen for free
(the server said goodbye on it while it was idle), and a unit of work whose
connection is lost before anything could have been committed runs again, once, on
another connection. Connection failures (including a pool that found no free
connection in time, whose ``PoolTimeout`` is an ``OperationalError``) become
``StorageUnavailable`` here, naming the fault (see ``_faults``) in the message and
in the log, so no repository needs to know about them.

Nothing here keeps state on a server connection beyond one transaction, so a
transaction pooler (PgBouncer in transaction mode) may stand in between; statements
are prepared on the server only when the pool is told the server connection is its own.
"""

from __future__ import annotations

import asyncio
import select
import time
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeAlias, TypeVar

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from ._faults import PROTOCOL_ERRORS, unavailable

Connection: TypeAlias = psycopg.AsyncConnection[TupleRow]
T = TypeVar("T")
Work: TypeAlias = Callable[[Connection], Awaitable[T]]

QUICK_WAIT = 0.5
"""Seconds a caller waits for a pooled connection before asking whether the database is up."""

PROBE_TIMEOUT = 2
"""Seconds a direct connection attempt may take before the database counts as down."""

PROBE_REUSE = 1.0
"""Seconds one probe's answer serves every caller that asks meanwhile."""


class PoolGauge(Protocol):
    """Where the pool reports how busy it is (the service's metrics)."""

    def pool(self, *, in_use: int, waiting: int) -> None:
        """Record the connections lent and the requests waiting for one."""


class Pool(AsyncConnectionPool[Connection]):
    """A connection pool that reports a database it cannot reach at once, not at its timeout.

    A caller that gets no connection quickly is either queued behind others (the
    database is up, the pool busy: it keeps waiting) or waiting in vain while the
    pool retries a database that is down. One direct connection attempt, shared by
    the callers asking within PROBE_REUSE seconds, tells the two apart, so requests
    fail fast during an outage instead of each hanging for the whole timeout.
    """

    def __init__(self, conninfo: str, *, metrics: PoolGauge | None = None, **options: Any) -> None:
        super().__init__(conninfo, **options)
        self._metrics = metrics
        self._url = conninfo
        self._probe_lock = asyncio.Lock()
        self._probed_at = -PROBE_REUSE
        self._probe_error: psycopg.OperationalError | None = None

    # The pool's own signature, timeout parameter included, so every caller gets this one.
    async def getconn(self, timeout: float | None = None) -> Connection:  # noqa: ASYNC109
        """A connection not known dead; raise OperationalError soon if the database is down."""
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while True:
            conn = await self._getconn_quickly(deadline)
            if not _hung_up(conn):
                self._measure()
                return conn
            # Closed, the pool drops it and opens a replacement in the background.
            await conn.close()
            await self.putconn(conn)

    async def putconn(self, conn: Connection) -> None:
        """Take back a connection lent by ``getconn``."""
        await super().putconn(conn)
        self._measure()

    def _measure(self) -> None:
        """Report the connections lent and the requests queued, at each checkout and return:
        the pool has no hook of its own, and a scrape reaches one worker only."""
        if self._metrics is not None:
            stats = self.get_stats()
            self._metrics.pool(
                in_use=stats["pool_size"] - stats["pool_available"],
                waiting=stats.get("requests_waiting", 0),
            )

    async def _getconn_quickly(self, deadline: float) -> Connection:
        timeout = max(0.0, deadline - time.monotonic())
        try:
            return await super().getconn(min(timeout, QUICK_WAIT))
        except PoolTimeout:
            if timeout <= QUICK_WAIT:
                raise
        await self._check_reachable()
        return await super().getconn(max(0.0, deadline - time.monotonic()))

    async def _check_reachable(self) -> None:
        async with self._probe_lock:
            if time.monotonic() - self._probed_at >= PROBE_REUSE:
                self._probe_error = await _connection_error(self._url)
                self._probed_at = time.monotonic()
            error = self._probe_error
        if error is not None:
            raise psycopg.OperationalError(str(error))


def _hung_up(conn: Connection) -> bool:
    """Whether the server spoke on this idle connection, which it does only to end it.

    A restarted or terminated backend sends its farewell and closes the socket, so
    the socket is readable; a healthy idle one is silent. Looking costs no round trip,
    unlike the pool's own ``check=AsyncConnectionPool.check_connection`` (an empty
    query per checkout). Measured against it, same database, 64 tasks reading
    ``SELECT 1`` through this pool, three runs each: 3,530 reads/s here against
    3,075 with ``check=`` (medians), 240 against 280 us of CPU per read. Through HTTP
    on one worker (medians of five 3 s runs) the difference stayed within the noise
    of a shared 2-core machine: 560 against 607 req/s for ``GET /collections/``,
    709 against 681 for ``GET /collections/{uuid}/``.
    """
    poller = select.poll()  # one system call, where a selector object takes four
    poller.register(conn.fileno(), select.POLLIN)
    return bool(poller.poll(0))


async def _connection_error(conninfo: str) -> psycopg.OperationalError | None:
    """Why a new connection to ``conninfo`` fails, or None if it succeeds."""
    try:
        connection = await psycopg.AsyncConnection.connect(conninfo, connect_timeout=PROBE_TIMEOUT)
    except psycopg.OperationalError as exc:
        return exc
    await connection.close()
    return None


class _LostBeforeCommit(psycopg.OperationalError):
    """The connection broke while nothing of the unit of work could have been committed."""


async def read(pool: Pool, work: Work[T], wait: float | None = None) -> T:
    """``work`` on a pooled connection outside any transaction: one snapshot per statement.

    ``wait`` bounds the wait for a free connection (the pool's own timeout if None).
    """
    return await _run(pool, work, wait, atomic=False)


async def write(pool: Pool, work: Work[T]) -> T:
    """``work`` in one transaction on a pooled connection: committed whole, or not at all."""
    return await _run(pool, work, None, atomic=True)


async def _run(pool: Pool, work: Work[T], wait: float | None, *, atomic: bool) -> T:
    try:
        try:
            return await _attempt(pool, work, wait, atomic=atomic)
        except _LostBeforeCommit:
            # The server rolled back whatever the lost connection had begun, so the
            # whole unit of work can run again on another connection.
            return await _attempt(pool, work, wait, atomic=atomic)
    except (psycopg.OperationalError, *PROTOCOL_ERRORS) as exc:
        raise unavailable(exc) from exc


async def _attempt(pool: Pool, work: Work[T], wait: float | None, *, atomic: bool) -> T:
    committing = False
    async with pool.connection(wait) as conn:
        try:
            if not atomic:
                return await work(conn)
            async with conn.transaction():
                result = await work(conn)
                # Leaving the block sends COMMIT: from then on, the outcome is unknown
                # if the connection breaks, and running the work again could apply it twice.
                committing = True
            return result
        except psycopg.OperationalError as exc:
            if conn.broken and not committing:
                raise _LostBeforeCommit(str(exc)) from exc
            raise


async def scalar(conn: Connection, query: str, params: tuple[object, ...] = ()) -> int:
    """The one integer that ``query`` answers, such as a count or a RETURNING id."""
    cursor = await conn.execute(query, params)
    [(value,)] = await cursor.fetchall()
    return int(value)
