"""One PostgreSQL database behind every storage port, over one connection pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from ._catalog import PostgresMovieStore
from ._collections import PostgresCollectionRepository
from ._pool import Connection, Pool, PoolGauge, read
from ._sessions import PostgresSessionStore
from ._sync_cursor import PostgresSyncCursor
from ._users import PostgresUserRepository

# A health check should answer quickly even when every connection is busy or the
# database is gone; ordinary requests wait for the pool's (generous) timeout instead.
_PING_TIMEOUT = 2.0
_RECONNECT_SECONDS = 2.0
PREPARE_AFTER = 5
"""psycopg's own default: a statement is prepared on the server at its sixth run."""


class PostgresStore:
    """The users, sessions, collections and local catalog of one database, sharing its pool."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool
        self.users = PostgresUserRepository(pool)
        self.collections = PostgresCollectionRepository(pool)
        self.catalog = PostgresMovieStore(pool)
        self.sync_cursor = PostgresSyncCursor(pool)
        self.sessions = PostgresSessionStore(pool)

    async def ping(self) -> None:
        """Return if the database answers; raise StorageUnavailable otherwise."""

        async def select(conn: Connection) -> None:
            await conn.execute("SELECT 1")

        await read(self._pool, select, wait=min(_PING_TIMEOUT, self._pool.timeout))


@asynccontextmanager
async def open_store(
    url: str,
    *,
    min_size: int = 1,
    max_size: int = 10,
    wait: float = 30.0,
    prepare: bool = False,
    metrics: PoolGauge | None = None,
) -> AsyncIterator[PostgresStore]:
    """Open a pool on the (already migrated) database at ``url``; close it on exit.

    Under load a request waits up to ``wait`` seconds for a free connection rather
    than failing. The pool connects in the background, so opening succeeds even while
    the database is briefly down; requests then raise StorageUnavailable.

    ``prepare`` lets statements be prepared on the server, which is safe only when
    each pooled connection has a server connection of its own (no transaction
    pooler, or one that keeps prepared statements per client).
    """
    pool = Pool(
        url,
        min_size=min_size,
        max_size=max_size,
        timeout=wait,
        # Reads are single statements and need no transaction; writes open their own
        # (see _pool.read and _pool.write). Without preparing, psycopg sends each
        # statement unnamed, which a pooler lends any server connection for.
        kwargs={"autocommit": True, "prepare_threshold": PREPARE_AFTER if prepare else None},
        # Give up reconnecting in the background after a short while (a new request
        # starts again at once) rather than backing off ever longer, so the pool is
        # back within about a second of the database.
        reconnect_timeout=_RECONNECT_SECONDS,
        name="moviecore",
        open=False,
        metrics=metrics,
    )
    async with pool:
        yield PostgresStore(pool)
