"""The embedded default storage: users, collections, the local catalog and the request
count in one SQLite file, reached through the standard library's ``sqlite3``.

Open it in the application's lifespan::

    async with open_store(data_dir / "moviecore.sqlite3") as store:
        ports = Ports(users=store.users, collections=store.collections,
                      catalog=store.catalog, counter=store.counter, ...)
"""

from ._catalog import SqliteMovieStore
from ._collections import SqliteCollectionRepository
from ._counter import SqliteRequestCounter
from ._migrations import migrate
from ._store import SqliteStore, open_store
from ._users import SqliteUserRepository

__all__ = [
    "SqliteCollectionRepository",
    "SqliteMovieStore",
    "SqliteRequestCounter",
    "SqliteStore",
    "SqliteUserRepository",
    "migrate",
    "open_store",
]
