"""An outside team's adapters: users and collections in SQLite through the standard sqlite3.

Written only against the installed ``moviecore`` wheel, as a team building on it would.
Each method runs its statements without awaiting in between, so on one connection
each is one unit; every sqlite3 error comes out as StorageUnavailable.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from uuid import UUID

from moviecore import (
    Collection,
    CollectionSummary,
    Movie,
    StorageUnavailable,
    User,
    UsernameTaken,
)
from moviecore.ports import (
    AlreadyStored,
    CollectionEdit,
    CollectionSlice,
    apply_changes,
    check_version,
    count_genres,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, username TEXT NOT NULL,
    name_key TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, created_at TEXT NOT NULL,
    operator INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS collections (seq INTEGER PRIMARY KEY AUTOINCREMENT,
    uuid TEXT NOT NULL UNIQUE, owner TEXT NOT NULL, body TEXT NOT NULL);
"""


def connect(path: str = ":memory:") -> sqlite3.Connection:
    """A connection holding the schema, committing each statement."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(SCHEMA)
    return connection


class _OnSqlite:
    """An adapter on one sqlite3 connection, its errors told as StorageUnavailable."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @contextmanager
    def translated(self) -> Iterator[None]:
        """sqlite3's errors as StorageUnavailable."""
        try:
            yield
        except sqlite3.Error as exc:
            raise StorageUnavailable(f"SQLite: {exc}") from exc


def _user(row: tuple[str, str, str, str, int]) -> User:
    return User(
        id=UUID(row[0]),
        username=row[1],
        password_hash=row[2],
        created_at=datetime.fromisoformat(row[3]),
        operator=bool(row[4]),
    )


_USER = "SELECT id, username, password_hash, created_at, operator FROM users"


class SqliteUsers(_OnSqlite):
    """A UserRepository in SQLite."""

    async def add(self, user: User) -> None:
        with self.translated():
            if self._db.execute("SELECT 1 FROM users WHERE id = ?", (str(user.id),)).fetchone():
                raise AlreadyStored(f"user {user.id} is stored")
            try:
                self._db.execute(
                    "INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        str(user.id),
                        user.username,
                        user.username.casefold(),
                        user.password_hash,
                        user.created_at.isoformat(),
                        int(user.operator),
                    ),
                )
            except sqlite3.IntegrityError as exc:
                raise UsernameTaken(user.username) from exc

    def _by_name(self, username: str) -> User | None:
        if "\x00" in username:
            return None
        with self.translated():
            row = self._db.execute(f"{_USER} WHERE name_key = ?", (username.casefold(),))
            found = row.fetchone()
        return None if found is None else _user(found)

    async def by_username(self, username: str) -> User | None:
        return self._by_name(username)

    async def by_id(self, user_id: UUID) -> User | None:
        with self.translated():
            found = self._db.execute(f"{_USER} WHERE id = ?", (str(user_id),)).fetchone()
        return None if found is None else _user(found)

    async def change_password(self, user_id: UUID, password_hash: str) -> bool:
        with self.translated():
            changed = self._db.execute(
                "UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, str(user_id))
            )
        return changed.rowcount > 0

    async def set_operator(self, username: str, operator: bool) -> User | None:
        user = self._by_name(username)
        if user is None:
            return None
        with self.translated():
            self._db.execute(
                "UPDATE users SET operator = ? WHERE id = ?", (int(operator), str(user.id))
            )
        return self._by_name(username)

    async def remove(self, user_id: UUID) -> bool:
        with self.translated():
            removed = self._db.execute("DELETE FROM users WHERE id = ?", (str(user_id),))
        return removed.rowcount > 0


def _dump(collection: Collection) -> str:
    movies = [[str(m.uuid), m.title, m.description, m.genres] for m in collection.movies]
    return json.dumps([collection.title, collection.description, movies, collection.version])


def _load(uuid: str, owner: str, body: str) -> Collection:
    title, description, movies, version = json.loads(body)
    return Collection(
        uuid=UUID(uuid),
        owner=UUID(owner),
        title=title,
        description=description,
        movies=tuple(
            Movie(uuid=UUID(m[0]), title=m[1], description=m[2], genres=m[3]) for m in movies
        ),
        version=version,
    )


class SqliteCollections(_OnSqlite):
    """A CollectionRepository in SQLite, each collection one JSON body."""

    async def add(self, collection: Collection) -> None:
        with self.translated():
            try:
                self._db.execute(
                    "INSERT INTO collections (uuid, owner, body) VALUES (?, ?, ?)",
                    (str(collection.uuid), str(collection.owner), _dump(collection)),
                )
            except sqlite3.IntegrityError as exc:
                raise AlreadyStored(f"collection {collection.uuid} is stored") from exc

    def _get(self, owner: UUID, uuid: UUID) -> Collection | None:
        with self.translated():
            row = self._db.execute(
                "SELECT uuid, owner, body FROM collections WHERE owner = ? AND uuid = ?",
                (str(owner), str(uuid)),
            ).fetchone()
        return None if row is None else _load(*row)

    async def get(self, owner: UUID, uuid: UUID) -> Collection | None:
        return self._get(owner, uuid)

    async def page(
        self, owner: UUID, offset: int, limit: int, *, movie: UUID | None = None
    ) -> CollectionSlice:
        with self.translated():
            rows = self._db.execute(
                "SELECT uuid, owner, body FROM collections WHERE owner = ? ORDER BY seq DESC",
                (str(owner),),
            ).fetchall()
        owned = [_load(*row) for row in rows]
        counts: Counter[str] = Counter()
        for collection in owned:
            counts += count_genres(collection.movies)
        listed = [c for c in owned if movie is None or any(m.uuid == movie for m in c.movies)]
        return CollectionSlice(
            summaries=tuple(CollectionSummary.of(c) for c in listed[offset : offset + limit]),
            count=len(listed),
            genre_counts=dict(counts),
        )

    async def update(
        self,
        owner: UUID,
        uuid: UUID,
        edit: CollectionEdit,
        *,
        expected_version: int | None = None,
    ) -> Collection | None:
        current = self._get(owner, uuid)
        if current is None:
            return None
        check_version(current.version, expected_version)
        new = apply_changes(current, edit)
        with self.translated():
            self._db.execute(
                "UPDATE collections SET body = ? WHERE uuid = ?", (_dump(new), str(uuid))
            )
        return new

    async def remove(self, owner: UUID, uuid: UUID, *, expected_version: int | None = None) -> bool:
        current = self._get(owner, uuid)
        if current is None:
            return False
        check_version(current.version, expected_version)
        with self.translated():
            self._db.execute("DELETE FROM collections WHERE uuid = ?", (str(uuid),))
        return True

    async def remove_all(self, owner: UUID) -> None:
        with self.translated():
            self._db.execute("DELETE FROM collections WHERE owner = ?", (str(owner),))


class LeakingCollections(SqliteCollections):
    """The same collections, written by someone who forgot to translate sqlite3's errors."""

    @contextmanager
    def translated(self) -> Iterator[None]:
        yield
