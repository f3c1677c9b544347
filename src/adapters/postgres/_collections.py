"""Collections in PostgreSQL: rows, their movie snapshots, and per-owner counts.

Every statement filters by owner through an index, so one user's requests cost
the same however much other users store. Reads are one statement each. Writes
keep the owner's collection count (``users.collection_count``) and genre counts in
the same transaction as the change they count.

Concurrent writes stay exact and free of deadlocks because they take row locks in
one order: the collection being replaced or removed (so writes to one collection
queue up, and each computes its count changes from the state it replaces), then
the owner's ``users`` row (adds and removes, which change the count), then the
owner's genre rows, in genre order.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from uuid import UUID

from moviecore import Collection, CollectionSummary, Movie, count_genres

from ._movie_rows import MOVIE_COLUMNS, UNNEST_MOVIES, movie_columns, movies_from_columns
from ._paging import split_total
from ._pool import Connection, Pool, read, write

# The listing query, named so that tests can check the planner serves it from indexes.
# The count is kept on write, so it costs the same for 10 collections as for 10,000.
# The owner is bound twice (not joined as users.id) so the planner estimates the page
# from that owner's own statistics and reads the (owner, seq) index.
PAGE_QUERY = (
    "SELECT users.collection_count, page.uuid, page.title, page.description FROM users"
    " LEFT JOIN (SELECT seq, uuid, title, description FROM collections"
    "  WHERE owner = %(owner)s ORDER BY seq DESC LIMIT %(limit)s OFFSET %(offset)s) AS page"
    " ON true WHERE users.id = %(owner)s ORDER BY page.seq DESC"
)

# The movies of collection ``c``, in order, as four arrays (NULL when it has none).
_MOVIE_ARRAYS = (
    "CROSS JOIN LATERAL (SELECT array_agg(uuid ORDER BY position),"
    " array_agg(title ORDER BY position), array_agg(description ORDER BY position),"
    " array_agg(genres ORDER BY position)"
    " FROM collection_movies WHERE collection = c.seq) AS movies"
)

_NEW_MOVIES = (
    f"{UNNEST_MOVIES} WITH ORDINALITY AS movie(uuid, title, description, genres, position)"
)

# Adds a change (genres, sorted, and amounts) to the genre counts of the owner that
# the FROM item ``owner_row`` names. Rows may reach 0 and stay: reads skip them.
_ADD_GENRES = (
    " INSERT INTO genre_counts (owner, genre, n)"
    " SELECT owner_row.owner, change.genre, change.n FROM {owner_row},"
    " unnest(%s::text[], %s::integer[]) AS change(genre, n) ORDER BY change.genre"
    " ON CONFLICT (owner, genre) DO UPDATE SET n = genre_counts.n + EXCLUDED.n"
)

# The genre upsert reads the owner from ``counted``, so the users row is locked (and
# the count changed) before any genre row.
_ADD = (
    "WITH added AS (INSERT INTO collections (uuid, owner, title, description)"
    "  VALUES (%s, %s, %s, %s) RETURNING seq, owner),"
    f" movies AS (INSERT INTO collection_movies (collection, position, {MOVIE_COLUMNS})"
    f"  SELECT added.seq, position, {MOVIE_COLUMNS} FROM added, {_NEW_MOVIES}),"
    " counted AS (UPDATE users SET collection_count = collection_count + 1 FROM added"
    "  WHERE users.id = added.owner RETURNING users.id AS owner)"
) + _ADD_GENRES.format(owner_row="counted AS owner_row")

_REMOVE = (
    "WITH gone AS (DELETE FROM collections WHERE seq = %s RETURNING owner),"
    " counted AS (UPDATE users SET collection_count = collection_count - 1 FROM gone"
    "  WHERE users.id = gone.owner RETURNING users.id AS owner)"
) + _ADD_GENRES.format(owner_row="counted AS owner_row")

# Positions past the new list are deleted; the others are overwritten in place.
_REPLACE_MOVIES = (
    f"WITH kept AS (INSERT INTO collection_movies (collection, position, {MOVIE_COLUMNS})"
    f"  SELECT %s, position, {MOVIE_COLUMNS} FROM {_NEW_MOVIES}"
    "  ON CONFLICT (collection, position) DO UPDATE SET uuid = EXCLUDED.uuid,"
    "  title = EXCLUDED.title, description = EXCLUDED.description, genres = EXCLUDED.genres),"
    " dropped AS (DELETE FROM collection_movies WHERE collection = %s AND position > %s)"
) + _ADD_GENRES.format(owner_row="(VALUES (%s::uuid)) AS owner_row(owner)")


class PostgresCollectionRepository:
    """The CollectionRepository port over the collections, their movies and counts."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, collection: Collection) -> None:
        """Store a new collection, atomically with its movies and the owner's counts."""
        params = (
            (collection.uuid, collection.owner, collection.title, collection.description),
            movie_columns(collection.movies),
            _genre_arrays(count_genres(collection.movies)),
        )

        async def insert(conn: Connection) -> None:
            await conn.execute(_ADD, _flat(params))

        await write(self._pool, insert)

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""

        async def select(conn: Connection) -> Collection | None:
            cursor = await conn.execute(
                f"SELECT c.title, c.description, movies.* FROM collections AS c {_MOVIE_ARRAYS}"
                " WHERE c.uuid = %s AND c.owner = %s",
                (uuid, owner),
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            title, description, *columns = row
            return Collection(uuid, owner, title, description, movies_from_columns(*columns))

        return await read(self._pool, select)

    async def page(
        self, owner: UUID, offset: int, limit: int
    ) -> tuple[Sequence[CollectionSummary], int]:
        """A slice of the owner's collections, newest first, and their total count."""

        async def select(conn: Connection) -> tuple[Sequence[CollectionSummary], int]:
            cursor = await conn.execute(
                PAGE_QUERY, {"owner": owner, "limit": limit, "offset": offset}
            )
            rows, count = split_total(await cursor.fetchall())
            return [CollectionSummary(*row) for row in rows], count

        return await read(self._pool, select)

    async def replace(self, collection: Collection) -> bool:
        """Overwrite the owner's collection whole; False if it does not exist."""

        async def update(conn: Connection) -> bool:
            cursor = await conn.execute(
                "UPDATE collections SET title = %s, description = %s"
                " WHERE uuid = %s AND owner = %s RETURNING seq",
                (collection.title, collection.description, collection.uuid, collection.owner),
            )
            row = await cursor.fetchone()
            if row is None:
                return False
            seq = int(row[0])
            # Read after the UPDATE locked the row: no other writer can change these now.
            old = await _movies_of(conn, seq)
            if old != collection.movies:
                change = Counter(count_genres(collection.movies))
                change.subtract(count_genres(old))
                params = (
                    (seq,),
                    movie_columns(collection.movies),
                    (seq, len(collection.movies), collection.owner),
                    _genre_arrays(change),
                )
                await conn.execute(_REPLACE_MOVIES, _flat(params))
            return True

        return await write(self._pool, update)

    async def remove(self, owner: UUID, uuid: UUID) -> bool:
        """Delete the owner's collection; False if it does not exist."""

        async def delete(conn: Connection) -> bool:
            cursor = await conn.execute(
                "SELECT seq FROM collections WHERE uuid = %s AND owner = %s FOR UPDATE",
                (uuid, owner),
            )
            row = await cursor.fetchone()
            if row is None:
                return False
            seq = int(row[0])
            # Read after the row is locked: no other writer can change these now.
            change: Counter[str] = Counter()
            change.subtract(count_genres(await _movies_of(conn, seq)))
            await conn.execute(_REMOVE, (seq, *_genre_arrays(change)))
            return True

        return await write(self._pool, delete)

    async def genre_counts(self, owner: UUID) -> Mapping[str, int]:
        """For each genre, in how many (movie, collection) pairs of the owner it appears."""

        async def select(conn: Connection) -> Mapping[str, int]:
            cursor = await conn.execute(
                "SELECT genre, n FROM genre_counts WHERE owner = %s AND n <> 0", (owner,)
            )
            return {genre: n for genre, n in await cursor.fetchall()}

        return await read(self._pool, select)


async def _movies_of(conn: Connection, seq: int) -> tuple[Movie, ...]:
    cursor = await conn.execute(
        f"SELECT movies.* FROM collections AS c {_MOVIE_ARRAYS} WHERE c.seq = %s", (seq,)
    )
    [columns] = await cursor.fetchall()
    return movies_from_columns(*columns)


def _genre_arrays(change: Mapping[str, int]) -> tuple[list[str], list[int]]:
    """The nonzero entries of ``change`` as two arrays, genres sorted (the locking order)."""
    genres = sorted(genre for genre, n in change.items() if n)
    return genres, [change[genre] for genre in genres]


def _flat(groups: Sequence[Sequence[object]]) -> tuple[object, ...]:
    """Parameter groups as one tuple, in the order their placeholders appear."""
    return tuple(value for group in groups for value in group)
