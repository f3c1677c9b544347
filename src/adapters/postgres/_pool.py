"""The connection pool type and the one way adapters use it: a transaction per call.

Connection failures (including a pool that found no free connection in time, whose
``PoolTimeout`` is an ``OperationalError``) become ``StorageUnavailable`` here, so no
repository needs to know about them.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import AsyncConnectionPool

from moviecore import StorageUnavailable

Connection: TypeAlias = psycopg.AsyncConnection[TupleRow]
Pool: TypeAlias = AsyncConnectionPool[Connection]


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
