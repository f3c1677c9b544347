"""Collections in SQLite, owner-scoped, with genre and collection counts kept on every write."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from uuid import UUID

from moviecore import Collection, CollectionSummary, Movie, count_genres

from ._database import Database
from ._rows import movie_from_row, movie_row

# Walks the owner's (owner, seq DESC) index entries newest first: no sort, no scan of others.
PAGE_QUERY = (
    "SELECT uuid, title, description FROM collections WHERE owner = ?"
    " ORDER BY seq DESC LIMIT ? OFFSET ?"
)
# Kept by triggers on insert and delete (migration 0002), so a page never counts rows.
COUNT_QUERY = "SELECT collection_count FROM users WHERE id = ?"
# Reads the owner's rows only, through the (owner, genre) primary key.
GENRE_COUNTS_QUERY = "SELECT genre, n FROM genre_counts WHERE owner = ?"


class SqliteCollectionRepository:
    """The CollectionRepository port over ``collections``, ``collection_movies`` and
    ``genre_counts``; each write changes all three in one transaction, in which triggers
    also keep the owner's ``users.collection_count``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, collection: Collection) -> None:
        """Store a new collection, atomically with its movies and their genres.

        Its uuid must not be stored yet, for any owner.
        """
        try:
            await self._database.write(lambda connection: _insert(connection, collection))
        except sqlite3.IntegrityError as exc:
            if "collections.uuid" in str(exc):
                raise ValueError(
                    f"a collection with UUID {collection.uuid} is already stored"
                ) from exc
            raise

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""
        return await self._database.read(lambda connection: _select(connection, owner, uuid))

    async def page(
        self, owner: UUID, offset: int, limit: int
    ) -> tuple[Sequence[CollectionSummary], int]:
        """A slice of the owner's collections, newest first, and their total count."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        return await self._database.read(
            lambda connection: _summaries(connection, owner, offset, limit)
        )

    async def replace(self, collection: Collection) -> bool:
        """Overwrite the owner's collection whole; False if it does not exist."""
        return await self._database.write(lambda connection: _replace(connection, collection))

    async def remove(self, owner: UUID, uuid: UUID) -> bool:
        """Delete the owner's collection; False if it does not exist."""
        return await self._database.write(lambda connection: _delete(connection, owner, uuid))

    async def genre_counts(self, owner: UUID) -> dict[str, int]:
        """For each genre, in how many (movie, collection) pairs of the owner it appears."""
        return await self._database.read(
            lambda connection: dict(connection.execute(GENRE_COUNTS_QUERY, (str(owner),)))
        )


def _insert(connection: sqlite3.Connection, collection: Collection) -> None:
    (seq,) = connection.execute(
        "INSERT INTO collections (uuid, owner, title, description) VALUES (?, ?, ?, ?)"
        " RETURNING seq",
        (str(collection.uuid), str(collection.owner), collection.title, collection.description),
    ).fetchone()
    _insert_movies(connection, seq, collection.movies)
    _shift_genres(connection, collection.owner, count_genres(collection.movies))


def _select(connection: sqlite3.Connection, owner: UUID, uuid: UUID) -> Collection | None:
    row = connection.execute(
        "SELECT seq, title, description FROM collections WHERE owner = ? AND uuid = ?",
        (str(owner), str(uuid)),
    ).fetchone()
    if row is None:
        return None
    seq, title, description = row
    return Collection(uuid, owner, title, description, _movies(connection, seq))


def _summaries(
    connection: sqlite3.Connection, owner: UUID, offset: int, limit: int
) -> tuple[list[CollectionSummary], int]:
    key = str(owner)
    summaries = [
        CollectionSummary(UUID(uuid), title, description)
        for uuid, title, description in connection.execute(PAGE_QUERY, (key, limit, offset))
    ]
    row = connection.execute(COUNT_QUERY, (key,)).fetchone()
    return summaries, 0 if row is None else int(row[0])


def _replace(connection: sqlite3.Connection, collection: Collection) -> bool:
    seq = _seq(connection, collection.owner, collection.uuid)
    if seq is None:
        return False
    delta = count_genres(collection.movies)
    delta.subtract(count_genres(_movies(connection, seq)))
    connection.execute(
        "UPDATE collections SET title = ?, description = ? WHERE seq = ?",
        (collection.title, collection.description, seq),
    )
    connection.execute("DELETE FROM collection_movies WHERE collection = ?", (seq,))
    _insert_movies(connection, seq, collection.movies)
    _shift_genres(connection, collection.owner, delta)
    return True


def _delete(connection: sqlite3.Connection, owner: UUID, uuid: UUID) -> bool:
    seq = _seq(connection, owner, uuid)
    if seq is None:
        return False
    delta: Counter[str] = Counter()
    delta.subtract(count_genres(_movies(connection, seq)))
    # Its movies go with it: collection_movies cascades on delete.
    connection.execute("DELETE FROM collections WHERE seq = ?", (seq,))
    _shift_genres(connection, owner, delta)
    return True


def _seq(connection: sqlite3.Connection, owner: UUID, uuid: UUID) -> int | None:
    row = connection.execute(
        "SELECT seq FROM collections WHERE owner = ? AND uuid = ?", (str(owner), str(uuid))
    ).fetchone()
    return None if row is None else int(row[0])


def _movies(connection: sqlite3.Connection, seq: int) -> tuple[Movie, ...]:
    rows = connection.execute(
        "SELECT uuid, title, description, genres FROM collection_movies"
        " WHERE collection = ? ORDER BY position",
        (seq,),
    )
    return tuple(movie_from_row(row) for row in rows)


def _insert_movies(connection: sqlite3.Connection, seq: int, movies: Sequence[Movie]) -> None:
    connection.executemany(
        "INSERT INTO collection_movies (collection, position, uuid, title, description, genres)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(seq, position, *movie_row(movie)) for position, movie in enumerate(movies)],
    )


def _shift_genres(connection: sqlite3.Connection, owner: UUID, delta: Counter[str]) -> None:
    """Add ``delta`` to the owner's genre counts, dropping genres that reach zero."""
    connection.executemany(
        "INSERT INTO genre_counts (owner, genre, n) VALUES (?, ?, ?)"
        " ON CONFLICT (owner, genre) DO UPDATE SET n = n + excluded.n",
        [(str(owner), genre, n) for genre, n in delta.items() if n],
    )
    connection.execute("DELETE FROM genre_counts WHERE owner = ? AND n <= 0", (str(owner),))
