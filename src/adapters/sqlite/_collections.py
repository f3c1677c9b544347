"""Collections in SQLite, owner-scoped, with genre and collection counts kept on every write.

Every write is one transaction on the single writing connection, begun IMMEDIATE, so
an update reads the collection, checks its version and writes the change with no
other write in between.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Sequence
from uuid import UUID

from moviecore import Collection, CollectionSummary, Movie
from moviecore.ports import (
    AlreadyStored,
    CollectionEdit,
    CollectionSlice,
    apply_changes,
    check_version,
    count_genres,
)

from ._database import Database
from ._rows import movie_from_row, movie_row

# movies_count is kept by every write (migration 0006): a page counts no rows.
_LISTED = (
    "SELECT c.uuid, c.title, c.description, c.version, c.movies_count"
    " FROM collections AS c WHERE c.owner = :owner"
)
_PAGE = " ORDER BY c.seq DESC LIMIT :limit OFFSET :offset"
# Walks the owner's (owner, seq DESC) index entries newest first: no sort, no scan of others.
PAGE_QUERY = _LISTED + _PAGE
# Kept by triggers on insert and delete (migration 0002), so a page never counts rows.
COUNT_QUERY = "SELECT collection_count FROM users WHERE id = :owner"
# The owner's collections holding :movie: one probe of collection_movies_by_uuid each.
_HOLDING = (
    " AND EXISTS (SELECT 1 FROM collection_movies WHERE collection = c.seq AND uuid = :movie)"
)
PAGE_HOLDING_QUERY = _LISTED + _HOLDING + _PAGE
COUNT_HOLDING_QUERY = "SELECT count(*) FROM collections AS c WHERE c.owner = :owner" + _HOLDING
# Reads the owner's rows only, through the (owner, genre) primary key; rows of 0 stay.
GENRE_COUNTS_QUERY = "SELECT genre, n FROM genre_counts WHERE owner = :owner AND n > 0"


class SqliteCollectionRepository:
    """The CollectionRepository port over ``collections``, ``collection_movies`` and
    ``genre_counts``; each write changes all three in one transaction, in which triggers
    also keep the owner's ``users.collection_count``."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, collection: Collection) -> None:
        """Store a new collection, atomically with its movies and their genres.

        Raise AlreadyStored if its uuid is stored, for any owner.
        """
        try:
            await self._database.write(lambda connection: _insert(connection, collection))
        except sqlite3.IntegrityError as exc:
            if "collections.uuid" in str(exc):
                raise AlreadyStored(
                    f"a collection with UUID {collection.uuid} is already stored"
                ) from exc
            raise

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""
        return await self._database.read(lambda connection: _select(connection, owner, uuid))

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """A slice of the owner's collections, newest first, with their count and genre
        counts, read in one transaction; with ``movie``, of those holding it only."""
        if offset < 0 or limit < 0:
            raise ValueError("offset and limit must not be negative")
        return await self._database.read(
            lambda connection: _summaries(connection, owner, offset, limit, movie)
        )

    async def remove_all(self, owner: UUID) -> None:
        """Delete every collection of the owner (their movies follow), and its genre counts."""

        def delete(connection: sqlite3.Connection) -> None:
            for table in ("genre_counts", "collections"):
                connection.execute(
                    f"DELETE FROM {table} WHERE owner = :owner", {"owner": str(owner)}
                )

        await self._database.write(delete)

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        edit: CollectionEdit,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        """Apply ``edit`` in one transaction and return the collection as stored."""

        def change(connection: sqlite3.Connection) -> Collection | None:
            found = _locate(connection, owner, uuid, expected_version)
            if found is None:
                return None
            seq, old = found
            new = apply_changes(old, edit)
            connection.execute(
                "UPDATE collections SET title = :title, description = :description,"
                " version = :version, movies_count = :movies_count WHERE seq = :seq",
                {
                    "title": new.title,
                    "description": new.description,
                    "version": new.version,
                    "movies_count": len(new.movies),
                    "seq": seq,
                },
            )
            if new.movies != old.movies:
                connection.execute(
                    "DELETE FROM collection_movies WHERE collection = :seq", {"seq": seq}
                )
                _insert_movies(connection, seq, new.movies)
                delta = count_genres(new.movies)
                delta.subtract(count_genres(old.movies))
                _shift_genres(connection, owner, delta)
            return new

        return await self._database.write(change)

    async def remove(self, owner: UUID, uuid: UUID, *, expected_version: int | None = None) -> bool:
        """Delete the owner's collection; False if it does not exist."""

        def delete(connection: sqlite3.Connection) -> bool:
            found = _locate(connection, owner, uuid, expected_version)
            if found is None:
                return False
            seq, old = found
            delta: Counter[str] = Counter()
            delta.subtract(count_genres(old.movies))
            # Its movies go with it: collection_movies cascades on delete.
            connection.execute("DELETE FROM collections WHERE seq = :seq", {"seq": seq})
            _shift_genres(connection, owner, delta)
            return True

        return await self._database.write(delete)


def _insert(connection: sqlite3.Connection, collection: Collection) -> None:
    (seq,) = connection.execute(
        "INSERT INTO collections (uuid, owner, title, description, version, movies_count)"
        " VALUES (:uuid, :owner, :title, :description, :version, :movies_count) RETURNING seq",
        {
            "uuid": str(collection.uuid),
            "owner": str(collection.owner),
            "title": collection.title,
            "description": collection.description,
            "version": collection.version,
            "movies_count": len(collection.movies),
        },
    ).fetchone()
    _insert_movies(connection, seq, collection.movies)
    _shift_genres(connection, collection.owner, count_genres(collection.movies))


def _select(connection: sqlite3.Connection, owner: UUID, uuid: UUID) -> Collection | None:
    found = _locate(connection, owner, uuid, expected_version=None)
    return None if found is None else found[1]


def _locate(
    connection: sqlite3.Connection, owner: UUID, uuid: UUID, expected_version: int | None
) -> tuple[int, Collection] | None:
    """The row number and state of the owner's collection, after checking its version."""
    row = connection.execute(
        "SELECT seq, title, description, version FROM collections"
        " WHERE owner = :owner AND uuid = :uuid",
        {"owner": str(owner), "uuid": str(uuid)},
    ).fetchone()
    if row is None:
        return None
    seq, title, description, version = row
    check_version(version, expected_version)
    collection = Collection(
        uuid=uuid,
        owner=owner,
        title=title,
        description=description,
        movies=_movies(connection, seq),
        version=version,
    )
    return seq, collection


def _summaries(
    connection: sqlite3.Connection, owner: UUID, offset: int, limit: int, movie: UUID | None
) -> CollectionSlice:
    params = {"owner": str(owner), "limit": limit, "offset": offset, "movie": str(movie)}
    page, count = (
        (PAGE_QUERY, COUNT_QUERY) if movie is None else (PAGE_HOLDING_QUERY, COUNT_HOLDING_QUERY)
    )
    summaries = tuple(
        CollectionSummary(
            uuid=UUID(uuid),
            title=title,
            description=description,
            movies_count=movies_count,
            version=version,
        )
        for uuid, title, description, version, movies_count in connection.execute(page, params)
    )
    row = connection.execute(count, params).fetchone()
    return CollectionSlice(
        summaries=summaries,
        count=0 if row is None else int(row[0]),
        genre_counts=dict(connection.execute(GENRE_COUNTS_QUERY, params)),
    )


def _movies(connection: sqlite3.Connection, seq: int) -> tuple[Movie, ...]:
    rows = connection.execute(
        "SELECT uuid, title, description, genres FROM collection_movies"
        " WHERE collection = :seq ORDER BY position",
        {"seq": seq},
    )
    return tuple(movie_from_row(row) for row in rows)


def _insert_movies(connection: sqlite3.Connection, seq: int, movies: Sequence[Movie]) -> None:
    connection.executemany(
        "INSERT INTO collection_movies (collection, position, uuid, title, description, genres)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [(seq, position, *movie_row(movie)) for position, movie in enumerate(movies)],
    )


def _shift_genres(connection: sqlite3.Connection, owner: UUID, delta: Counter[str]) -> None:
    """Add ``delta`` to the owner's genre counts; rows that reach zero stay, unread."""
    connection.executemany(
        "INSERT INTO genre_counts (owner, genre, n) VALUES (:owner, :genre, :n)"
        " ON CONFLICT (owner, genre) DO UPDATE SET n = n + excluded.n",
        [{"owner": str(owner), "genre": genre, "n": n} for genre, n in delta.items() if n],
    )
