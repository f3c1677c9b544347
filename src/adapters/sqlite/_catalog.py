"""The local movie catalog in SQLite: movies paged in the order they were first stored."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from moviecore import CatalogPage, Movie

from ._database import Database
from ._rows import movie_from_row, movie_row


class SqliteMovieStore:
    """The MovieStore port over the ``movies`` table, ``page_size`` movies a page."""

    def __init__(self, database: Database, page_size: int = 10) -> None:
        if page_size < 1:
            raise ValueError("page_size must be 1 or more")
        self._database = database
        self._page_size = page_size

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page past the end, with the true count."""
        if number < 1:
            raise ValueError("page numbers start at 1")
        return await self._database.read(lambda connection: self._select(connection, number))

    async def put(self, movies: Sequence[Movie]) -> None:
        """Insert movies, or replace those whose uuid is already stored, in one transaction."""
        await self._database.write(
            lambda connection: connection.executemany(
                # An update in place keeps seq, so a replaced movie keeps its place.
                "INSERT INTO movies (uuid, title, description, genres) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (uuid) DO UPDATE SET title = excluded.title,"
                " description = excluded.description, genres = excluded.genres",
                [movie_row(movie) for movie in movies],
            )
        )

    async def count(self) -> int:
        """How many movies are stored."""
        return await self._database.read(_count)

    def _select(self, connection: sqlite3.Connection, number: int) -> CatalogPage:
        offset = (number - 1) * self._page_size
        rows = connection.execute(
            "SELECT uuid, title, description, genres FROM movies ORDER BY seq LIMIT ? OFFSET ?",
            (self._page_size, offset),
        ).fetchall()
        count = _count(connection)
        return CatalogPage(
            movies=tuple(movie_from_row(row) for row in rows),
            count=count,
            page=number,
            has_next=offset + len(rows) < count,
        )


def _count(connection: sqlite3.Connection) -> int:
    # Kept by triggers on insert and delete, so no request counts the whole catalog.
    (count,) = connection.execute("SELECT n FROM movie_count WHERE id = 1").fetchone()
    return int(count)
