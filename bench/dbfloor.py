"""The database floors: a bare Litestar app answering after one or two ``SELECT 1``.

Its pool is the service's own: opened by ``app.open_storage`` from the same
environment (DATABASE_URL, DATABASE_POOL_SIZE, DATABASE_PREPARE), so its size,
autocommit, statement preparing and reconnecting cannot drift from the service's;
each query runs through the service's ``read``, one pooled connection per request.
Served by the same server command and workers, its throughput is the most an
endpoint doing that many round trips could reach.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, get
from litestar.datastructures import State

from adapters.postgres import PostgresStore
from adapters.postgres._pool import Connection, Pool, read
from app import load_settings, open_storage


@asynccontextmanager
async def _pool(app: Litestar) -> AsyncIterator[None]:
    async with open_storage(load_settings(), migrate=False) as storage:
        if not isinstance(storage, PostgresStore):
            raise RuntimeError("the database floors need DATABASE_URL")
        app.state.pool = storage._pool  # the very pool the service's repositories use
        yield


async def _select_one(conn: Connection) -> None:
    await (await conn.execute("SELECT 1")).fetchall()


async def _select_one_twice(conn: Connection) -> None:
    await _select_one(conn)
    await _select_one(conn)


@get("/floor/db-1")
async def one_query(state: State) -> dict[str, int]:
    """One round trip to the database, then a JSON body like ``GET /request-count/``'s."""
    pool: Pool = state.pool
    await read(pool, _select_one)
    return {"requests": 0}


@get("/floor/db-2")
async def two_queries(state: State) -> dict[str, int]:
    """Two round trips on one pooled connection, like a page and its count."""
    pool: Pool = state.pool
    await read(pool, _select_one_twice)
    return {"requests": 0}


def create_db_floor_app() -> Litestar:
    """The bare app with the service's pool, as an ASGI server's ``--factory`` target."""
    return Litestar(route_handlers=[one_query, two_queries], lifespan=[_pool])
