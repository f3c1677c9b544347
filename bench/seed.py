"""Realistic data for the benchmark, written straight into the databases with bulk SQL.

Many light users, three users with 10, 1 000 and 10 000 collections of 20 movies
each, a writer whose collections the write scenarios change, movies for their
collections, and a local catalog of 45,466 movies in many scripts to list and
search (on PostgreSQL it stands for the copy that ``catalog sync`` makes). HTTP
would take minutes to store this much; ``executemany`` (SQLite) and ``COPY``
(PostgreSQL) take seconds. Genre counts and search keys are computed with
``moviecore.count_genres`` and ``moviecore.MovieKeys``, as the service computes them.
"""

from __future__ import annotations

import random
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from uuid import UUID, uuid5

import bcrypt
import psycopg

from moviecore import Collection, Movie, MovieKeys, Session, count_genres
from moviecore.testing import sample_catalog
from tools.fake_upstream import synthetic_catalog

PASSWORD = "bench-password"
MOVIES_PER_COLLECTION = 20
HEAVY_USERS = {"few": 10, "many": 1_000, "most": 10_000}
"""The users whose listings are compared, by name, and how many collections each has."""
WRITER_COLLECTIONS = 99
"""Odd, so that alternating bodies over them change every collection on every pass."""


SESSION_EXPIRES_AT = 4e9
"""When the seeded sessions' refresh tokens expire (2096): never, during a run."""


@dataclass(frozen=True, slots=True)
class SeededUser:
    """A user, the collections stored for them (oldest first), and a session of theirs."""

    id: UUID
    username: str
    collections: list[Collection] = field(default_factory=list)

    @property
    def session(self) -> Session:
        """The user's seeded session, its id made from theirs (the same data every run)."""
        return Session(
            id=uuid5(self.id, "session"), user=self.id, generation=0, expires_at=SESSION_EXPIRES_AT
        )


@dataclass(frozen=True, slots=True)
class Dataset:
    """Everything seeded: the movies, the users, and the shared password's hash."""

    catalog: list[Movie]
    """The movies collections hold and write requests send."""
    local_catalog: list[Movie]
    users: dict[str, SeededUser]
    password_hash: str

    def user(self, name: str) -> SeededUser:
        """The seeded user called ``name`` (``few``, ``many``, ``most``, ``writer``, ...)."""
        return self.users[name]

    def genre_rows(self) -> Iterator[tuple[UUID, str, int]]:
        """(owner, genre, n) for every user, as the service's genre counts hold them."""
        for user in self.users.values():
            counts: Counter[str] = Counter()
            for collection in user.collections:
                counts.update(count_genres(collection.movies))
            yield from ((user.id, genre, n) for genre, n in counts.items() if n)

    def collections(self) -> Iterator[Collection]:
        """Every collection, in the order they are stored (which is their age)."""
        for user in self.users.values():
            yield from user.collections


def build_dataset(
    *, light_users: int, bcrypt_rounds: int, catalog_size: int = 1000, local_size: int = 45_466
) -> Dataset:
    """The same data for the same arguments; every user's password is ``PASSWORD``."""
    rng = random.Random(20240601)
    catalog = [
        Movie(m.uuid, m.title, m.description, m.genres)
        for m in synthetic_catalog(catalog_size, seed=7)
    ]
    sizes = {**HEAVY_USERS, "writer": WRITER_COLLECTIONS}
    sizes.update({f"light-{number}": rng.randint(0, 5) for number in range(light_users)})
    users: dict[str, SeededUser] = {}
    for name, size in sizes.items():
        user = SeededUser(_uuid(rng), f"bench-{name}")
        user.collections.extend(_collection(rng, user.id, catalog) for _ in range(size))
        users[name] = user
    password_hash = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(bcrypt_rounds)).decode()
    return Dataset(catalog, sample_catalog(local_size, seed=7), users, password_hash)


def movie_bodies(dataset: Dataset, count: int) -> list[list[dict[str, str]]]:
    """``count`` different lists of 20 catalog movies as JSON-ready dicts, for write requests."""
    rng = random.Random(count)
    return [
        [_movie_json(movie) for movie in rng.sample(dataset.catalog, MOVIES_PER_COLLECTION)]
        for _ in range(count)
    ]


def _movie_json(movie: Movie) -> dict[str, str]:
    return {
        "uuid": str(movie.uuid),
        "title": movie.title,
        "description": movie.description,
        "genres": movie.genres,
    }


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)


def _collection(rng: random.Random, owner: UUID, catalog: list[Movie]) -> Collection:
    number = rng.randint(1, 10**6)
    return Collection(
        uuid=_uuid(rng),
        owner=owner,
        title=f"Favourites {number}",
        description=f"Films worth seeing again, list {number}.",
        movies=tuple(rng.sample(catalog, MOVIES_PER_COLLECTION)),
    )


# --- Rows, shared by both databases ------------------------------------------


def _user_rows(dataset: Dataset) -> Iterator[tuple[UUID, str, str, str]]:
    for user in dataset.users.values():
        yield user.id, user.username, user.username.casefold(), dataset.password_hash


def _session_rows(dataset: Dataset) -> Iterator[tuple[UUID, UUID, int, float]]:
    for user in dataset.users.values():
        session = user.session
        yield session.id, session.user, session.generation, session.expires_at


def _collection_rows(dataset: Dataset) -> Iterator[tuple[int, UUID, UUID, str, str]]:
    for seq, collection in enumerate(dataset.collections(), start=1):
        yield seq, collection.uuid, collection.owner, collection.title, collection.description


def _collection_movie_rows(dataset: Dataset) -> Iterator[tuple[int, int, UUID, str, str, str]]:
    for seq, collection in enumerate(dataset.collections(), start=1):
        for position, movie in enumerate(collection.movies):
            yield seq, position, movie.uuid, movie.title, movie.description, movie.genres


def _movie_rows(dataset: Dataset) -> Iterator[tuple[object, ...]]:
    for seq, movie in enumerate(dataset.local_catalog, start=1):
        keys = MovieKeys.of(movie)
        fields = (movie.uuid, movie.title, movie.description, movie.genres)
        yield seq, *fields, keys.title, keys.description, keys.genres


Rows = Callable[[Dataset], Iterable[tuple[object, ...]]]

_TABLES: dict[str, tuple[str, Rows]] = {
    "users": ("id, username, username_key, password_hash", _user_rows),
    "sessions": ("id, user_id, generation, expires_at", _session_rows),
    "collections": ("seq, uuid, owner, title, description", _collection_rows),
    "collection_movies": (
        "collection, position, uuid, title, description, genres",
        _collection_movie_rows,
    ),
    "genre_counts": ("owner, genre, n", lambda dataset: dataset.genre_rows()),
    "movies": (
        "seq, uuid, title, description, genres, title_key, description_key, genre_key",
        _movie_rows,
    ),
}


# --- Writers ----------------------------------------------------------------


def write_sqlite(path: Path, dataset: Dataset) -> None:
    """Store ``dataset`` in the (migrated, empty) SQLite database at ``path``."""
    with sqlite3.connect(path) as connection:
        for table, (columns, rows) in _TABLES.items():
            marks = ", ".join("?" * len(columns.split(", ")))
            connection.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({marks})", _as_text(rows(dataset))
            )
        connection.execute("ANALYZE")
    connection.close()


def _as_text(rows: Iterable[tuple[object, ...]]) -> Iterator[tuple[object, ...]]:
    """SQLite stores uuids as their canonical text."""
    for row in rows:
        yield tuple(str(value) if isinstance(value, UUID) else value for value in row)


def write_postgres(url: str, dataset: Dataset) -> None:
    """Store ``dataset`` in the (migrated, empty) PostgreSQL database at ``url``."""
    with psycopg.connect(url) as connection:
        for table, (columns, rows) in _TABLES.items():
            with connection.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows(dataset):
                    copy.write_row(row)
        # Rows were given their seq; the sequences must continue after them.
        for table in ("collections", "movies"):
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'seq'),"
                f" (SELECT coalesce(max(seq), 0) + 1 FROM {table}), false)"
            )
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
