"""Accounts in SQLite, unique by casefolded username."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any
from uuid import UUID

from moviecore import User, UsernameTaken
from moviecore.ports import AlreadyStored

from ._database import Database

_COLUMNS = "id, username, password_hash, created_at, operator"
_BY_USERNAME = f"SELECT {_COLUMNS} FROM users WHERE username_key = :key"
_BY_ID = f"SELECT {_COLUMNS} FROM users WHERE id = :key"
# Collections first: their delete triggers update the owner's row, which must still exist.
_REMOVE = (
    "DELETE FROM genre_counts WHERE owner = :id",
    "DELETE FROM collections WHERE owner = :id",
    "DELETE FROM sessions WHERE user_id = :id",
    "DELETE FROM users WHERE id = :id",
)


class SqliteUserRepository:
    """The UserRepository port over the ``users`` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, user: User) -> None:
        """Store a new user; raise UsernameTaken or AlreadyStored if the name or id is taken."""

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO users (id, username, username_key, password_hash, created_at,"
                " operator) VALUES (:id, :username, :key, :password_hash, :created_at, :operator)",
                {
                    "id": str(user.id),
                    "username": user.username,
                    "key": user.username.casefold(),
                    "password_hash": user.password_hash,
                    "created_at": user.created_at.isoformat(),
                    "operator": int(user.operator),
                },
            )

        try:
            await self._database.write(insert)
        except sqlite3.IntegrityError as exc:
            if "users.username_key" in str(exc):
                raise UsernameTaken(f"the username {user.username!r} is taken") from exc
            if "users.id" in str(exc):
                raise AlreadyStored(f"a user with id {user.id} is already stored") from exc
            raise

    async def by_username(self, username: str) -> User | None:
        """The user whose username matches after casefolding, if any."""
        return await self._one(_BY_USERNAME, username.casefold())

    async def by_id(self, user_id: UUID) -> User | None:
        """The user with this id, if any."""
        return await self._one(_BY_ID, str(user_id))

    async def change_password(self, user_id: UUID, password_hash: str) -> bool:
        """Store a new password hash; False if there is no such user."""
        return await self._changed(
            "UPDATE users SET password_hash = :hash WHERE id = :id",
            {"hash": password_hash, "id": str(user_id)},
        )

    async def set_operator(self, username: str, operator: bool) -> User | None:
        """Grant or take back the operator role; the user as stored now, or None."""
        await self._changed(
            "UPDATE users SET operator = :operator WHERE username_key = :key",
            {"operator": int(operator), "key": username.casefold()},
        )
        return await self.by_username(username)

    async def remove(self, user_id: UUID) -> bool:
        """Erase the user with its collections, genre counts and sessions, in one transaction."""

        def delete(connection: sqlite3.Connection) -> bool:
            cursors = [connection.execute(each, {"id": str(user_id)}) for each in _REMOVE]
            return cursors[-1].rowcount == 1

        return await self._database.write(delete)

    async def _changed(self, statement: str, params: dict[str, object]) -> bool:
        def update(connection: sqlite3.Connection) -> bool:
            return connection.execute(statement, params).rowcount == 1

        return await self._database.write(update)

    async def _one(self, query: str, key: str) -> User | None:
        def select(connection: sqlite3.Connection) -> Any:
            return connection.execute(query, {"key": key}).fetchone()

        row = await self._database.read(select)
        if row is None:
            return None
        user_id, username, password_hash, created_at, operator = row
        return User(
            id=UUID(user_id),
            username=username,
            password_hash=password_hash,
            created_at=datetime.fromisoformat(created_at),
            operator=bool(operator),
        )
