"""PostgreSQL storage: users, collections and the local catalog over a psycopg pool.

Wiring::

    await migrate(url)                    # once per start-up; safe from many processes
    async with open_store(url) as store:  # in the application's lifespan
        users, collections, catalog = store.users, store.collections, store.catalog
        await store.ping()                # for health checks
"""

from ._catalog import PostgresMovieStore
from ._collections import PostgresCollectionRepository
from ._migrate import MissingDatabase, migrate, migration_status, shipped_migrations
from ._sessions import PostgresSessionStore
from ._store import PostgresStore, open_store
from ._users import PostgresUserRepository

__all__ = [
    "MissingDatabase",
    "PostgresCollectionRepository",
    "PostgresMovieStore",
    "PostgresSessionStore",
    "PostgresStore",
    "PostgresUserRepository",
    "migrate",
    "migration_status",
    "open_store",
    "shipped_migrations",
]
