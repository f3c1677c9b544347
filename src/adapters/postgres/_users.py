"""Accounts in PostgreSQL, unique by casefolded username."""

from __future__ import annotations

from uuid import UUID

from psycopg.errors import UniqueViolation
from psycopg.rows import class_row

from moviecore import User, UsernameTaken

from ._pool import Connection, Pool, read, write

_COLUMNS = "id, username, password_hash"


class PostgresUserRepository:
    """The UserRepository port over the ``users`` table."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, user: User) -> None:
        """Store a new user; raise UsernameTaken if the casefolded name exists."""

        async def insert(conn: Connection) -> None:
            await conn.execute(
                "INSERT INTO users (id, username, username_key, password_hash)"
                " VALUES (%s, %s, %s, %s)",
                (user.id, user.username, user.username.casefold(), user.password_hash),
            )

        try:
            await write(self._pool, insert)
        except UniqueViolation as exc:
            raise UsernameTaken(f"the username {user.username!r} is taken") from exc

    async def by_username(self, username: str) -> User | None:
        """The user whose username matches after casefolding, if any."""
        return await self._one(
            f"SELECT {_COLUMNS} FROM users WHERE username_key = %s", username.casefold()
        )

    async def by_id(self, user_id: UUID) -> User | None:
        """The user with this id, if any."""
        return await self._one(f"SELECT {_COLUMNS} FROM users WHERE id = %s", user_id)

    async def _one(self, query: str, value: object) -> User | None:
        async def select(conn: Connection) -> User | None:
            cursor = conn.cursor(row_factory=class_row(User))
            await cursor.execute(query, (value,))
            return await cursor.fetchone()

        return await read(self._pool, select)
