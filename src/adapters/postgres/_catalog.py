"""The local movie catalog in PostgreSQL: a MovieStore paging in insertion order."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from moviecore import CatalogPage, Movie

from ._movie_rows import MOVIE_COLUMNS, UNNEST_MOVIES, movie_columns
from ._paging import split_total
from ._pool import Connection, Pool, read, scalar, write

# The count and the page in one statement (see _paging); an empty page is one row of NULLs.
_PAGE_QUERY = (
    "SELECT total.n, page.uuid, page.title, page.description, page.genres"
    " FROM (SELECT count(*) FROM movies) AS total(n)"
    f" LEFT JOIN (SELECT seq, {MOVIE_COLUMNS} FROM movies"
    "  ORDER BY seq LIMIT %(limit)s OFFSET %(offset)s) AS page ON true ORDER BY page.seq"
)


class PostgresMovieStore:
    """The MovieStore port over the ``movies`` table, ``page_size`` movies a page."""

    def __init__(self, pool: Pool, page_size: int = 10) -> None:
        self._pool = pool
        self._page_size = page_size

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page past the end."""

        async def select(conn: Connection) -> tuple[list[tuple[Any, ...]], int]:
            cursor = await conn.execute(
                _PAGE_QUERY,
                {"limit": self._page_size, "offset": (number - 1) * self._page_size},
            )
            return split_total(await cursor.fetchall())

        rows, count = await read(self._pool, select)
        movies = tuple(
            Movie(uuid=uuid, title=title, description=description, genres=genres)
            for uuid, title, description, genres in rows
        )
        return CatalogPage(movies, count, number, has_next=number * self._page_size < count)

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
            await conn.execute(
                f"INSERT INTO movies ({MOVIE_COLUMNS})"
                f" SELECT {MOVIE_COLUMNS} FROM {UNNEST_MOVIES}"
                " WITH ORDINALITY AS movie(uuid, title, description, genres, position)"
                " ORDER BY position"
                " ON CONFLICT (uuid) DO UPDATE SET title = EXCLUDED.title,"
                " description = EXCLUDED.description, genres = EXCLUDED.genres",
                movie_columns(latest),
            )

        await write(self._pool, upsert)

    async def count(self) -> int:
        """How many movies are stored."""

        async def select(conn: Connection) -> int:
            return await scalar(conn, "SELECT count(*) FROM movies")

        return await read(self._pool, select)
