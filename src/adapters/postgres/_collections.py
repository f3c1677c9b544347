"""Collections in PostgreSQL: rows, their movie snapshots, and per-owner counts.

Every statement filters by owner through an index, so one user's requests cost
the same however much other users store. Reads are one statement each. Writes
keep the owner's genre counts in the same transaction as the change they count,
and triggers keep the owner's collection count (migration 0003).

An update follows the core's one rule, as every adapter does: lock the collection,
read it, ``check_version``, and write what ``apply_changes`` returns. No field of
an update is computed in SQL.

Concurrent writes stay exact and free of deadlocks because they take row locks in
one order: the collection being updated or removed (so writes to one collection
queue up, and each reads the state it changes only once it holds the lock), then
the owner's genre rows, in genre order, then (through the count trigger, which runs
when its statement ends) the owner's ``users`` row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any
from uuid import UUID

from psycopg.errors import UniqueViolation

from moviecore import Collection, CollectionSummary
from moviecore.ports import (
    AlreadyStored,
    CollectionEdit,
    CollectionSlice,
    apply_changes,
    check_version,
    count_genres,
)

from ._movie_rows import MOVIE_COLUMNS, UNNEST_MOVIES, movie_columns, movies_from_columns
from ._paging import split_totals
from ._pool import Connection, Pool, read, write

# The listing query, named so that tests can check the planner serves it from indexes.
# The count is kept on write, so it costs the same for 10 collections as for 10,000.
# The owner is bound twice (not joined as users.id) so the planner estimates the page
# from that owner's own statistics and reads the (owner, seq) index. The owner is matched
# as a range, and the page ordered by owner too, so that only that index gives the order:
# planned for an owner's actual id (as every statement is when none is prepared on the
# server), "owner =" let the planner walk the seq primary key backwards instead, through
# every newer collection of everyone: 1.6 ms instead of 0.3 ms for a user whose 1,000
# collections are old, measured on the bench's data.
# The owner's genre counts come along as two arrays on every row, so that a page of the
# listing, its count and its favourite genres are one statement and one snapshot. Each
# collection's movies_count is kept by every write (migration 0007): no rows are counted.
_OWNED = "c.owner >= %(owner)s AND c.owner <= %(owner)s"
_GENRES = (
    " CROSS JOIN LATERAL (SELECT array_agg(genre), array_agg(n) FROM genre_counts"
    "  WHERE owner = %(owner)s AND n > 0) AS genres(names, amounts)"
)
_LISTED = (
    "genres.names, genres.amounts,"
    " page.uuid, page.title, page.description, page.version, page.movies_count"
)


def _page_of(where: str) -> str:
    """The slice of the collections matching ``where``, joined to the totals' one row."""
    return (
        " LEFT JOIN (SELECT seq, uuid, title, description, version, movies_count"
        "  FROM collections AS c"
        f"  WHERE {where} ORDER BY c.owner, c.seq DESC LIMIT %(limit)s OFFSET %(offset)s)"
        " AS page ON true"
    )


PAGE_QUERY = (
    f"SELECT users.collection_count, {_LISTED} FROM users{_GENRES}{_page_of(_OWNED)}"
    " WHERE users.id = %(owner)s ORDER BY page.seq DESC"
)

# The owner's collections holding %(movie)s: one probe of collection_movies_by_uuid each
# (migration 0007), counted in the statement since no count of them is kept.
_HOLDING = (
    f"{_OWNED} AND EXISTS (SELECT 1 FROM collection_movies AS held"
    " WHERE held.collection = c.seq AND held.uuid = %(movie)s)"
)
PAGE_HOLDING_QUERY = (
    f"SELECT total.n, {_LISTED}"
    f" FROM (SELECT count(*) FROM collections AS c WHERE {_HOLDING}) AS total(n)"
    f"{_GENRES}{_page_of(_HOLDING)} ORDER BY page.seq DESC"
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

# Adds a change (genres, sorted, and amounts) to the owner's genre counts. Rows may
# reach 0 and stay: PAGE_QUERY skips them, and no writer spends a statement on them.
_ADD_GENRES = (
    " INSERT INTO genre_counts (owner, genre, n)"
    " SELECT %(owner)s, change.genre, change.n"
    " FROM unnest(%(genres)s::text[], %(amounts)s::integer[]) AS change(genre, n)"
    " ORDER BY change.genre"
    " ON CONFLICT (owner, genre) DO UPDATE SET n = genre_counts.n + EXCLUDED.n"
)

_ADD = (
    "WITH added AS (INSERT INTO collections"
    "  (uuid, owner, title, description, version, movies_count) VALUES (%(uuid)s, %(owner)s,"
    "  %(title)s, %(description)s, %(version)s, %(movies_count)s) RETURNING seq),"
    f" movies AS (INSERT INTO collection_movies (collection, position, {MOVIE_COLUMNS})"
    f"  SELECT added.seq, position, {MOVIE_COLUMNS} FROM added, {_NEW_MOVIES})"
) + _ADD_GENRES

# The collection, locked until the transaction ends: writers of one collection queue here.
_LOCK = (
    "SELECT seq, title, description, version FROM collections"
    " WHERE uuid = %(uuid)s AND owner = %(owner)s FOR UPDATE"
)

# Its movies, read by a statement of their own once the lock is held. Read in the
# locking statement, they would be those of its snapshot, taken before it waited for
# the lock: the movies as they were before the writer it waited for.
_LOCKED_MOVIES = (
    f"SELECT movies.* FROM collections AS c {_MOVIE_ARRAYS}"
    " WHERE c.uuid = %(uuid)s AND c.owner = %(owner)s"
)

_SET_FIELDS = (
    "UPDATE collections SET title = %(title)s, description = %(description)s,"
    " version = %(version)s, movies_count = %(movies_count)s WHERE seq = %(seq)s"
)

# The fields, and the movies: positions (from 1) past the new list are deleted, the
# others overwritten in place where they changed. A position holding the same movie as
# before is left alone, so that an edit near the end of a long list writes a few rows,
# not the whole list again: adding one movie at the end of 1,000 then took 65 ms
# instead of 74 (medians of 100, on 2 busy cores), and leaves 1 new row version
# instead of 1,001 for vacuum.
_SET_ALL = (
    f"WITH fields AS ({_SET_FIELDS}),"
    f" kept AS (INSERT INTO collection_movies AS stored (collection, position, {MOVIE_COLUMNS})"
    f"  SELECT %(seq)s, position, {MOVIE_COLUMNS} FROM {_NEW_MOVIES}"
    "  ON CONFLICT (collection, position) DO UPDATE SET uuid = EXCLUDED.uuid,"
    "  title = EXCLUDED.title, description = EXCLUDED.description, genres = EXCLUDED.genres"
    f"  WHERE (stored.{MOVIE_COLUMNS.replace(', ', ', stored.')})"
    f"  IS DISTINCT FROM (EXCLUDED.{MOVIE_COLUMNS.replace(', ', ', EXCLUDED.')})),"
    " dropped AS (DELETE FROM collection_movies WHERE collection = %(seq)s"
    "  AND position > %(last)s)"
) + _ADD_GENRES

_REMOVE = "WITH gone AS (DELETE FROM collections WHERE seq = %(seq)s)" + _ADD_GENRES


class PostgresCollectionRepository:
    """The CollectionRepository port over the collections, their movies and counts."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, collection: Collection) -> None:
        """Store a new collection, atomically with its movies and the owner's counts."""
        params = {
            "uuid": collection.uuid,
            "owner": collection.owner,
            "title": collection.title,
            "description": collection.description,
            "version": collection.version,
            "movies_count": len(collection.movies),
            **movie_columns(collection.movies),
            **_genre_arrays(count_genres(collection.movies)),
        }

        async def insert(conn: Connection) -> None:
            await conn.execute(_ADD, params)

        try:
            await write(self._pool, insert)
        except UniqueViolation as exc:
            raise AlreadyStored(
                f"a collection with UUID {collection.uuid} is already stored"
            ) from exc

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        """The owner's collection with this uuid, movies in their stored order."""

        async def select(conn: Connection) -> Collection | None:
            cursor = await conn.execute(
                "SELECT c.title, c.description, c.version, movies.*"
                f" FROM collections AS c {_MOVIE_ARRAYS}"
                " WHERE c.uuid = %(uuid)s AND c.owner = %(owner)s",
                {"uuid": uuid, "owner": owner},
            )
            row = await cursor.fetchone()
            return None if row is None else _collection(owner, uuid, row[:3], row[3:])

        return await read(self._pool, select)

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        """A slice of the owner's collections, newest first, with their count and genre
        counts, in one statement; with ``movie``, of those holding it only."""
        statement = PAGE_QUERY if movie is None else PAGE_HOLDING_QUERY
        params = {"owner": owner, "limit": limit, "offset": offset, "movie": movie}

        async def select(conn: Connection) -> CollectionSlice:
            cursor = await conn.execute(statement, params)
            rows, (count, names, amounts) = split_totals(await cursor.fetchall(), 3)
            return CollectionSlice(
                summaries=tuple(
                    CollectionSummary(
                        uuid=uuid,
                        title=title,
                        description=description,
                        movies_count=movies_count,
                        version=version,
                    )
                    for uuid, title, description, version, movies_count in rows
                ),
                count=count or 0,
                genre_counts=dict(zip(names or (), amounts or (), strict=True)),
            )

        return await read(self._pool, select)

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        edit: CollectionEdit,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        """Apply ``edit`` in one transaction, under the collection's row lock."""

        async def change(conn: Connection) -> Collection | None:
            found = await _locked(conn, owner, uuid, expected_version)
            if found is None:
                return None
            seq, old = found
            new = apply_changes(old, edit)
            await _store_changed(conn, seq, old, new)
            return new

        return await write(self._pool, change)

    async def remove(self, owner: UUID, uuid: UUID, *, expected_version: int | None = None) -> bool:
        """Delete the owner's collection; False if it does not exist."""

        async def delete(conn: Connection) -> bool:
            found = await _locked(conn, owner, uuid, expected_version)
            if found is None:
                return False
            seq, old = found
            change: Counter[str] = Counter()
            change.subtract(count_genres(old.movies))
            await conn.execute(_REMOVE, {"seq": seq, "owner": owner, **_genre_arrays(change)})
            return True

        return await write(self._pool, delete)

    async def remove_all(self, owner: UUID) -> None:
        """Delete every collection of the owner (their movies follow), and its genre counts."""
        await write(self._pool, lambda conn: remove_owned(conn, owner))


async def remove_owned(conn: Connection, owner: UUID) -> None:
    """Delete every collection of ``owner`` and its genre counts, taking locks in the
    order every writer does: the collections, the genre rows, then (through the count
    trigger) the owner's row."""
    await conn.execute(
        "SELECT seq FROM collections WHERE owner = %(owner)s ORDER BY seq FOR UPDATE",
        {"owner": owner},
    )
    await conn.execute("DELETE FROM genre_counts WHERE owner = %(owner)s", {"owner": owner})
    await conn.execute("DELETE FROM collections WHERE owner = %(owner)s", {"owner": owner})


async def _locked(
    conn: Connection, owner: UUID, uuid: UUID, expected_version: int | None
) -> tuple[int, Collection] | None:
    """The row number and state of the owner's collection, locked for the rest of the
    transaction, after checking its version; None if there is no such collection.

    The lock and the read of the movies are sent together (psycopg's pipeline mode):
    one round trip, the server running the read once the lock is held. Measured on
    the relay of test_postgres_round_trips.py against the SQL this replaced (an
    UPDATE setting the given fields and version + 1 itself), an update costs 4 round
    trips whether or not it changes the movies (4 and 5 before), a removal 4 (5);
    without the pipeline, one more each. In instructions of the client (callgrind,
    500 updates through PostgresStore, 20 movies), an update changing the movies
    costs the same (3.47M against 3.45M), one changing the title alone 0.25M more
    (1.51M against 1.26M): it runs one more statement.
    """
    params = {"uuid": uuid, "owner": owner}
    async with conn.pipeline():
        lock = await conn.execute(_LOCK, params)
        movies = await conn.execute(_LOCKED_MOVIES, params)
    row = await lock.fetchone()
    columns = await movies.fetchone()
    if row is None or columns is None:
        return None
    seq, *fields = row
    current = _collection(owner, uuid, fields, columns)
    check_version(current.version, expected_version)
    return seq, current


def _collection(
    owner: UUID, uuid: UUID, fields: Sequence[Any], columns: Sequence[Any]
) -> Collection:
    """The collection whose title, description and version are ``fields``, and whose movies
    are in ``columns`` as ``_MOVIE_ARRAYS`` reads them."""
    title, description, version = fields
    return Collection(
        uuid=uuid,
        owner=owner,
        title=title,
        description=description,
        movies=movies_from_columns(*columns),
        version=version,
    )


async def _store_changed(conn: Connection, seq: int, old: Collection, new: Collection) -> None:
    """Write ``new`` over ``old``, its locked state: the movies and genre counts only if
    the movies changed."""
    params = {
        "seq": seq,
        "title": new.title,
        "description": new.description,
        "version": new.version,
        "movies_count": len(new.movies),
    }
    if new.movies == old.movies:
        await conn.execute(_SET_FIELDS, params)
        return
    change = count_genres(new.movies)
    change.subtract(count_genres(old.movies))
    await conn.execute(
        _SET_ALL,
        {
            **params,
            "last": len(new.movies),
            "owner": new.owner,
            **movie_columns(new.movies),
            **_genre_arrays(change),
        },
    )


def _genre_arrays(change: Mapping[str, int]) -> dict[str, list[str] | list[int]]:
    """The nonzero entries of ``change`` as two arrays, genres sorted (the locking order)."""
    genres = sorted(genre for genre, n in change.items() if n)
    return {"genres": genres, "amounts": [change[genre] for genre in genres]}
