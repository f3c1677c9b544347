"""The local movie catalog in PostgreSQL: a MovieStore paging in insertion order, searched
through a full-text index of the movies' search keys (migration 0004)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from moviecore import CatalogPage, Movie
from moviecore.ports import CATALOG_PAGE_SIZE, MovieKeys, MovieQuery

from ._movie_rows import MOVIE_COLUMNS
from ._paging import split_totals
from ._pool import Connection, Pool, read, scalar, write

# The count (kept by triggers, migration 0006) and the page in one statement (see
# _paging); an empty page is one row of NULLs.
_COUNT = "SELECT n FROM movie_count"
_PAGE_QUERY = (
    f"SELECT total.n, {MOVIE_COLUMNS}"
    f" FROM ({_COUNT}) AS total(n)"
    f" LEFT JOIN (SELECT seq, {MOVIE_COLUMNS} FROM movies"
    "  ORDER BY seq LIMIT %(limit)s OFFSET %(offset)s) AS page ON true ORDER BY page.seq"
)

# The movies holding every word (the GIN index), ranked as SearchableCatalog.search says.
_MATCHES = (
    "SELECT seq, CASE WHEN title_key = %(key)s THEN 0"
    " WHEN starts_with(title_key, %(key)s) THEN 1"
    " WHEN title_words @@ %(words)s::tsquery THEN 2 ELSE 3 END AS rank"
    " FROM movies WHERE search_words @@ %(words)s::tsquery"
    " AND strpos(genre_key, %(genre)s) > 0"
)
# A query without words keeps the movies of its genre, all of one rank.
_OF_GENRE = "SELECT seq, 0 AS rank FROM movies WHERE strpos(genre_key, %(genre)s) > 0"
# The count and the page in one statement, over the matches computed once.
_SEARCH = (
    "WITH hits AS MATERIALIZED ({matches})"
    " SELECT total.n, movies.uuid, movies.title, movies.description, movies.genres"
    " FROM (SELECT count(*) FROM hits) AS total(n)"
    " LEFT JOIN (SELECT seq, rank FROM hits ORDER BY rank, seq"
    "  LIMIT %(limit)s OFFSET %(offset)s) AS page ON true"
    " LEFT JOIN movies ON movies.seq = page.seq ORDER BY page.rank, page.seq"
)
_SEARCH_WORDS = _SEARCH.format(matches=_MATCHES)
_SEARCH_GENRE = _SEARCH.format(matches=_OF_GENRE)

_KEYED_ROWS = (
    "unnest(%(uuid)s::uuid[], %(title)s::text[], %(description)s::text[], %(genres)s::text[],"
    " %(title_key)s::text[], %(description_key)s::text[], %(genre_key)s::text[])"
    " WITH ORDINALITY AS movie(uuid, title, description, genres,"
    " title_key, description_key, genre_key, position)"
)
_KEYED_COLUMNS = f"{MOVIE_COLUMNS}, title_key, description_key, genre_key"
_UPSERT = (
    f"INSERT INTO movies ({_KEYED_COLUMNS}) SELECT {_KEYED_COLUMNS} FROM {_KEYED_ROWS}"
    " ORDER BY position"
    " ON CONFLICT (uuid) DO UPDATE SET title = EXCLUDED.title,"
    " description = EXCLUDED.description, genres = EXCLUDED.genres,"
    " title_key = EXCLUDED.title_key, description_key = EXCLUDED.description_key,"
    " genre_key = EXCLUDED.genre_key"
)
_KEYS_MISSING = f"SELECT {MOVIE_COLUMNS} FROM movies WHERE genre_key IS NULL LIMIT %(limit)s"
_SET_KEYS = (
    "UPDATE movies SET title_key = movie.title_key, description_key = movie.description_key,"
    f" genre_key = movie.genre_key FROM {_KEYED_ROWS} WHERE movies.uuid = movie.uuid"
)
KEYS_BATCH = 1000
"""Movies given their keys per statement when rows stored before search get them."""


class PostgresMovieStore:
    """The MovieStore port over the ``movies`` table, ``page_size`` movies a page."""

    def __init__(self, pool: Pool, page_size: int = CATALOG_PAGE_SIZE) -> None:
        self._pool = pool
        self._page_size = page_size

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page past the end."""
        return await self._paged(_PAGE_QUERY, {}, number)

    async def search(self, query: MovieQuery, number: int) -> CatalogPage:
        """Page ``number`` of the movies ``query`` matches, best first, ties in catalog order."""
        statement = _SEARCH_WORDS if query.words else _SEARCH_GENRE
        return await self._paged(statement, _match_params(query), number)

    async def put(self, movies: Sequence[Movie]) -> None:
        """Insert movies, or replace those whose uuid is already stored, in one transaction.

        A new movie goes after every stored one; a replaced one keeps its place.
        """
        # One row per uuid (a statement may not upsert a row twice): the last version
        # of a repeated movie wins, at the place of its first appearance.
        latest = list({movie.uuid: movie for movie in movies}.values())
        if not latest:
            return

        async def upsert(conn: Connection) -> None:
            await conn.execute(_UPSERT, keyed_columns(latest))

        await write(self._pool, upsert)

    async def movie(self, uuid: UUID) -> Movie | None:
        """The stored movie with this uuid, if any."""

        async def select(conn: Connection) -> Movie | None:
            cursor = await conn.execute(
                f"SELECT {MOVIE_COLUMNS} FROM movies WHERE uuid = %(uuid)s", {"uuid": uuid}
            )
            row = await cursor.fetchone()
            if row is None:
                return None
            uuid_, title, description, genres = row
            return Movie(uuid=uuid_, title=title, description=description, genres=genres)

        return await read(self._pool, select)

    async def count(self) -> int:
        """How many movies are stored."""

        async def select(conn: Connection) -> int:
            return await scalar(conn, _COUNT)

        return await read(self._pool, select)

    async def _paged(self, statement: str, params: dict[str, Any], number: int) -> CatalogPage:
        size = self._page_size
        bound = {**params, "limit": size, "offset": (number - 1) * size}

        async def select(conn: Connection) -> tuple[list[tuple[Any, ...]], int]:
            cursor = await conn.execute(statement, bound)
            rows, (total,) = split_totals(await cursor.fetchall(), 1)
            return rows, int(total or 0)

        rows, count = await read(self._pool, select)
        movies = tuple(
            Movie(uuid=uuid, title=title, description=description, genres=genres)
            for uuid, title, description, genres in rows
        )
        return CatalogPage(movies, count, number, has_next=number * size < count)


async def add_missing_keys(conn: Connection) -> None:
    """Compute the search keys of movies stored before search existed, a batch at a time."""
    while True:
        cursor = await conn.execute(_KEYS_MISSING, {"limit": KEYS_BATCH})
        rows = await cursor.fetchall()
        if not rows:
            return
        movies = [
            Movie(uuid=uuid, title=title, description=description, genres=genres)
            for uuid, title, description, genres in rows
        ]
        await conn.execute(_SET_KEYS, keyed_columns(movies))


def keyed_columns(movies: Sequence[Movie]) -> dict[str, list[Any]]:
    """The movies' fields and search keys column by column, to bind to ``_KEYED_ROWS``."""
    keys = [MovieKeys.of(movie) for movie in movies]
    return {
        "uuid": [movie.uuid for movie in movies],
        "title": [movie.title for movie in movies],
        "description": [movie.description for movie in movies],
        "genres": [movie.genres for movie in movies],
        "title_key": [key.title for key in keys],
        "description_key": [key.description for key in keys],
        "genre_key": [key.genres for key in keys],
    }


def _match_params(query: MovieQuery) -> dict[str, str]:
    """The key, text-search queries and genre needle a search statement binds."""
    # Words are letters and digits only, so quoting them cannot break the tsquery syntax;
    # the cast reads them as they are, with no parser or dictionary to change them.
    return {
        "key": query.key,
        "words": " & ".join(f"'{word}':*" for word in query.words),
        # Every genre key starts with a comma: without a genre, every movie has it.
        "genre": query.genre_needle,
    }
