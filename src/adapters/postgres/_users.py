"""Accounts in PostgreSQL, unique by casefolded username."""

from __future__ import annotations

from uuid import UUID

from psycopg.errors import UniqueViolation
from psycopg.rows import class_row

from moviecore import AlreadyStored, User, UsernameTaken

from ._pool import Connection, Pool, read, write

_COLUMNS = "id, username, password_hash"


class PostgresUserRepository:
    """The UserRepository port over the ``users`` table."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, user: User) -> None:
        """Store a new user; raise UsernameTaken or AlreadyStored if the name or id is taken."""

        async def insert(conn: Connection) -> None:
            await conn.execute(
                "INSERT INTO users (id, username, username_key, password_hash)"
                " VALUES (%(id)s, %(username)s, %(key)s, %(password_hash)s)",
                {
                    "id": user.id,
                    "username": user.username,
                    "key": user.username.casefold(),
                    "password_hash": user.password_hash,
                },
            )

        try:
            await write(self._pool, insert)
        except UniqueViolation as exc:
            if exc.diag.constraint_name == "users_pkey":
                raise AlreadyStored(f"a user with id {user.id} is already stored") from exc
            raise UsernameTaken(f"the username {user.username!r} is taken") from exc

    async def by_username(self, username: str) -> User | None:
        """The user whose username matches after casefolding, if any."""
        if "\x00" in username:  # PostgreSQL text cannot hold NUL, so no stored name has one
            return None
        return await self._one(
            f"SELECT {_COLUMNS} FROM users WHERE username_key = %(key)s", username.casefold()
        )

    async def by_id(self, user_id: UUID) -> User | None:
        """The user with this id, if any."""
        return await self._one(f"SELECT {_COLUMNS} FROM users WHERE id = %(key)s", user_id)

    async def _one(self, query: str, key: object) -> User | None:
        async def select(conn: Connection) -> User | None:
            cursor = conn.cursor(row_factory=class_row(User))
            await cursor.execute(query, {"key": key})
            return await cursor.fetchone()

        return await read(self._pool, select)
