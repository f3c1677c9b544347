"""The local movie catalog in SQLite: movies paged in the order they were first stored,
and searched through an FTS5 index of their search keys (migration 0004)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from typing import Any
from uuid import UUID

from moviecore import CatalogPage, Movie
from moviecore.ports import CATALOG_PAGE_SIZE, MovieKeys, MovieQuery

from ._database import Database
from ._rows import movie_from_row, movie_row

_COLUMNS = "uuid, title, description, genres"

# An update in place keeps seq, so a replaced movie keeps its place.
_UPSERT = (
    f"INSERT INTO movies ({_COLUMNS}, title_key, description_key, genre_key)"
    " VALUES (?, ?, ?, ?, ?, ?, ?)"
    " ON CONFLICT (uuid) DO UPDATE SET title = excluded.title,"
    " description = excluded.description, genres = excluded.genres,"
    " title_key = excluded.title_key, description_key = excluded.description_key,"
    " genre_key = excluded.genre_key"
)

# Every movie holding each word (FTS5), ranked as SearchableCatalog.search says: the rank of
# the whole title is read from the keys, "every word in the title" from the index.
_MATCHES = (
    "SELECT movies.seq, CASE WHEN movies.title_key = :key THEN 0"
    " WHEN substr(movies.title_key, 1, length(:key)) = :key THEN 1"
    " WHEN movies.seq IN (SELECT rowid FROM movie_words WHERE movie_words MATCH :in_title)"
    " THEN 2 ELSE 3 END AS rank"
    " FROM movie_words JOIN movies ON movies.seq = movie_words.rowid"
    " WHERE movie_words MATCH :anywhere AND instr(movies.genre_key, :genre) > 0"
)
# A query without words keeps the movies of its genre, all of one rank.
_OF_GENRE = "SELECT seq, 0 AS rank FROM movies WHERE instr(genre_key, :genre) > 0"
# The count and the page in one statement, over the matches computed once.
_SEARCH = (
    "WITH hits AS MATERIALIZED ({matches})"
    f" SELECT total.n, {_COLUMNS} FROM (SELECT count(*) AS n FROM hits) AS total"
    " LEFT JOIN (SELECT hits.seq, hits.rank FROM hits ORDER BY hits.rank, hits.seq"
    "  LIMIT :limit OFFSET :offset) AS page ON true"
    " LEFT JOIN movies ON movies.seq = page.seq ORDER BY page.rank, page.seq"
)
_SEARCH_WORDS = _SEARCH.format(matches=_MATCHES)
_SEARCH_GENRE = _SEARCH.format(matches=_OF_GENRE)


class SqliteMovieStore:
    """The MovieStore port over the ``movies`` table, ``page_size`` movies a page."""

    def __init__(self, database: Database, page_size: int = CATALOG_PAGE_SIZE) -> None:
        if page_size < 1:
            raise ValueError("page_size must be 1 or more")
        self._database = database
        self._page_size = page_size

    async def page(self, number: int) -> CatalogPage:
        """Page ``number`` (from 1); an empty page past the end, with the true count."""
        if number < 1:
            raise ValueError("page numbers start at 1")
        return await self._database.read(lambda connection: self._select(connection, number))

    async def search(self, query: MovieQuery, number: int) -> CatalogPage:
        """Page ``number`` of the movies ``query`` matches, best first, ties in catalog order."""
        if number < 1:
            raise ValueError("page numbers start at 1")
        statement = _SEARCH_WORDS if query.words else _SEARCH_GENRE
        params = {
            **_match_params(query),
            "limit": self._page_size,
            "offset": (number - 1) * self._page_size,
        }
        rows = await self._database.read(
            lambda connection: connection.execute(statement, params).fetchall()
        )
        count = int(rows[0][0])
        movies = tuple(movie_from_row(row[1:]) for row in rows if row[1] is not None)
        return CatalogPage(movies, count, number, has_next=number * self._page_size < count)

    async def movie(self, uuid: UUID) -> Movie | None:
        """The stored movie with this uuid, if any."""
        row = await self._database.read(
            lambda connection: connection.execute(
                f"SELECT {_COLUMNS} FROM movies WHERE uuid = :uuid", {"uuid": str(uuid)}
            ).fetchone()
        )
        return None if row is None else movie_from_row(row)

    async def put(self, movies: Sequence[Movie]) -> None:
        """Insert movies, or replace those whose uuid is already stored, in one transaction."""
        rows = [(*movie_row(movie), *_keys(movie)) for movie in movies]
        await self._database.write(lambda connection: connection.executemany(_UPSERT, rows))

    async def count(self) -> int:
        """How many movies are stored."""
        return await self._database.read(_count)

    async def add_missing_keys(self) -> None:
        """Compute the search keys of movies stored before search existed."""

        def update(connection: sqlite3.Connection) -> None:
            rows = connection.execute(
                f"SELECT seq, {_COLUMNS} FROM movies WHERE genre_key IS NULL"
            ).fetchall()
            connection.executemany(
                "UPDATE movies SET title_key = ?, description_key = ?, genre_key = ? WHERE seq = ?",
                [(*_keys(movie_from_row(row[1:])), row[0]) for row in rows],
            )

        await self._database.write(update)

    def _select(self, connection: sqlite3.Connection, number: int) -> CatalogPage:
        offset = (number - 1) * self._page_size
        rows = connection.execute(
            f"SELECT {_COLUMNS} FROM movies ORDER BY seq LIMIT ? OFFSET ?",
            (self._page_size, offset),
        ).fetchall()
        count = _count(connection)
        return CatalogPage(
            movies=tuple(movie_from_row(row) for row in rows),
            count=count,
            page=number,
            has_next=offset + len(rows) < count,
        )


def _keys(movie: Movie) -> tuple[str, str, str]:
    keys = MovieKeys.of(movie)
    return keys.title, keys.description, keys.genres


def _match_params(query: MovieQuery) -> dict[str, Any]:
    """The key, FTS5 queries and genre needle a search statement binds."""
    # Words are letters and digits only, so quoting them cannot break the query syntax.
    anywhere = " ".join(f'"{word}"*' for word in query.words)
    return {
        "key": query.key,
        "anywhere": anywhere,
        "in_title": f"title_key : ({anywhere})",
        # Every genre key starts with a comma: without a genre, every movie has it.
        "genre": query.genre_needle,
    }


def _count(connection: sqlite3.Connection) -> int:
    # Kept by triggers on insert and delete, so no request counts the whole catalog.
    (count,) = connection.execute("SELECT n FROM movie_count WHERE id = 1").fetchone()
    return int(count)
