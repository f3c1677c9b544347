"""Collections in PostgreSQL: rows, their movie snapshots, and per-owner genre counts.

Every statement filters by owner through an index, so one user's requests cost
the same however much other users store. Genre counts change in the same
transaction as the movies they count, and a collection being replaced or removed
is locked first (``FOR UPDATE``), so concurrent writes to one collection queue up
and each one's count changes are computed from the state it replaces.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from uuid import UUID

from psycopg.rows import class_row

from moviecore import Collection, CollectionSummary, Movie, count_genres

from ._movie_rows import MOVIE_COLUMNS, UNNEST_MOVIES, movie_columns
from ._pool import Connection, Pool, scalar, transaction

# The listing queries, named so that tests can check the planner serves them from an index.
PAGE_QUERY = (
    "SELECT uuid, title, description FROM collections"
    " WHERE owner = %s ORDER BY seq DESC LIMIT %s OFFSET %s"
)
COUNT_QUERY = "SELECT count(*) FROM collections WHERE owner = %s"


class PostgresCollectionRepository:
    """The CollectionRepository port over the collections, their movies and genre counts."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, collection: Collection) -> None:
        """Store a new collection, atomically with its movies and genre counts."""
        async with transaction(self._pool) as conn:
            seq = await scalar(
                conn,
                "INSERT INTO collections (uuid, owner, title, description)"
                " VALUES (%s, %s, %s, %s) RETURNING seq",
                (collection.uuid, collection.owner, collection.title, collection.description),
            )
            await _insert_movies(conn, seq, collection.movies)
            await _add_genre_counts(conn, collection.owner, count_genres(collection.movies))

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(
                "SELECT seq, title, description FROM collections WHERE uuid = %s AND owner = %s",
                (uuid, owner),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            seq, title, description = row
            movies = await _movies_of(conn, seq)
        return Collection(uuid, owner, title, description, movies)

    async def page(
        self, owner: UUID, offset: int, limit: int
    ) -> tuple[Sequence[CollectionSummary], int]:
        """A slice of the owner's collections, newest first, and their total count."""
        async with transaction(self._pool) as conn:
            cursor = conn.cursor(row_factory=class_row(CollectionSummary))
            await cursor.execute(PAGE_QUERY, (owner, limit, offset))
            summaries = await cursor.fetchall()
            count = await scalar(conn, COUNT_QUERY, (owner,))
        return summaries, count

    async def replace(self, collection: Collection) -> bool:
        """Overwrite the owner's collection whole; False if it does not exist."""
        async with transaction(self._pool) as conn:
            seq = await _lock(conn, collection.owner, collection.uuid)
            if seq is None:
                return False
            await conn.execute(
                "UPDATE collections SET title = %s, description = %s WHERE seq = %s",
                (collection.title, collection.description, seq),
            )
            old = await _movies_of(conn, seq)
            if old != collection.movies:
                await conn.execute("DELETE FROM collection_movies WHERE collection = %s", (seq,))
                await _insert_movies(conn, seq, collection.movies)
                change = Counter(count_genres(collection.movies))
                change.subtract(count_genres(old))
                await _add_genre_counts(conn, collection.owner, change)
        return True

    async def remove(self, owner: UUID, uuid: UUID) -> bool:
        """Delete the owner's collection; False if it does not exist."""
        async with transaction(self._pool) as conn:
            seq = await _lock(conn, owner, uuid)
            if seq is None:
                return False
            old = await _movies_of(conn, seq)
            await conn.execute("DELETE FROM collections WHERE seq = %s", (seq,))
            change: Counter[str] = Counter()
            change.subtract(count_genres(old))
            await _add_genre_counts(conn, owner, change)
        return True

    async def genre_counts(self, owner: UUID) -> Mapping[str, int]:
        """For each genre, in how many (movie, collection) pairs of the owner it appears."""
        async with transaction(self._pool) as conn:
            cursor = await conn.execute(
                "SELECT genre, n FROM genre_counts WHERE owner = %s", (owner,)
            )
            return {genre: n for genre, n in await cursor.fetchall()}


async def _lock(conn: Connection, owner: UUID, uuid: UUID) -> int | None:
    """The collection's seq, its row locked until commit; None if the owner has no such one."""
    cursor = await conn.execute(
        "SELECT seq FROM collections WHERE uuid = %s AND owner = %s FOR UPDATE", (uuid, owner)
    )
    row = await cursor.fetchone()
    return None if row is None else int(row[0])


async def _movies_of(conn: Connection, seq: int) -> tuple[Movie, ...]:
    cursor = conn.cursor(row_factory=class_row(Movie))
    await cursor.execute(
        f"SELECT {MOVIE_COLUMNS} FROM collection_movies WHERE collection = %s ORDER BY position",
        (seq,),
    )
    return tuple(await cursor.fetchall())


async def _insert_movies(conn: Connection, seq: int, movies: Sequence[Movie]) -> None:
    if movies:
        await conn.execute(
            f"INSERT INTO collection_movies (collection, position, {MOVIE_COLUMNS})"
            f" SELECT %s, position, {MOVIE_COLUMNS} FROM {UNNEST_MOVIES}"
            " WITH ORDINALITY AS movie(uuid, title, description, genres, position)",
            (seq, *movie_columns(movies)),
        )


async def _add_genre_counts(conn: Connection, owner: UUID, change: Mapping[str, int]) -> None:
    """Add ``change`` to the owner's genre counts and drop the rows it brings to zero."""
    # Sorted, so concurrent writers lock an owner's genre rows in one order: no deadlocks.
    genres = sorted(genre for genre, n in change.items() if n)
    if not genres:
        return
    await conn.execute(
        "INSERT INTO genre_counts (owner, genre, n)"
        " SELECT %s, genre, n FROM unnest(%s::text[], %s::integer[]) AS change(genre, n)"
        " ORDER BY genre"
        " ON CONFLICT (owner, genre) DO UPDATE SET n = genre_counts.n + EXCLUDED.n",
        (owner, genres, [change[genre] for genre in genres]),
    )
    await conn.execute(
        "DELETE FROM genre_counts WHERE owner = %s AND genre = ANY(%s) AND n = 0",
        (owner, genres),
    )
