"""The embedded default storage: users, sessions, collections, the local catalog and the
request count in one SQLite file, reached through the standard library's ``sqlite3``; the
count also lives in a memory-mapped file beside it, so that a crash loses none.

Open it in the application's lifespan::

    async with (
        open_store(data_dir / "moviecore.sqlite3") as store,
        open_counter(store) as counter,
    ):
        ports = Ports(users=store.users, collections=store.collections,
                      catalog=store.catalog, counter=counter, ...)
"""

from ._catalog import SqliteMovieStore
from ._collections import SqliteCollectionRepository
from ._count_file import refuse_if_in_use
from ._counter import SqliteRequestCounter, open_counter
from ._database import DamagedDatabase
from ._migrations import migrate, migration_status, shipped_migrations
from ._sessions import SqliteSessionStore
from ._store import SqliteStore, open_store
from ._users import SqliteUserRepository

__all__ = [
    "DamagedDatabase",
    "SqliteCollectionRepository",
    "SqliteMovieStore",
    "SqliteRequestCounter",
    "SqliteSessionStore",
    "SqliteStore",
    "SqliteUserRepository",
    "migrate",
    "migration_status",
    "open_counter",
    "open_store",
    "refuse_if_in_use",
    "shipped_migrations",
]
