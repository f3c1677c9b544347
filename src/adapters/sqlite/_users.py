"""Accounts in SQLite, unique by casefolded username."""

from __future__ import annotations

import sqlite3
from typing import Any
from uuid import UUID

from moviecore import AlreadyStored, User, UsernameTaken

from ._database import Database

_BY_USERNAME = "SELECT id, username, password_hash FROM users WHERE username_key = :key"
_BY_ID = "SELECT id, username, password_hash FROM users WHERE id = :key"


class SqliteUserRepository:
    """The UserRepository port over the ``users`` table."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def add(self, user: User) -> None:
        """Store a new user; raise UsernameTaken or AlreadyStored if the name or id is taken."""

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute(
                "INSERT INTO users (id, username, username_key, password_hash)"
                " VALUES (:id, :username, :key, :password_hash)",
                {
                    "id": str(user.id),
                    "username": user.username,
                    "key": user.username.casefold(),
                    "password_hash": user.password_hash,
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

    async def _one(self, query: str, key: str) -> User | None:
        def select(connection: sqlite3.Connection) -> Any:
            return connection.execute(query, {"key": key}).fetchone()

        row = await self._database.read(select)
        if row is None:
            return None
        user_id, username, password_hash = row
        return User(id=UUID(user_id), username=username, password_hash=password_hash)
