"""Accounts in PostgreSQL, unique by casefolded username."""

from __future__ import annotations

from uuid import UUID

from psycopg.errors import UniqueViolation
from psycopg.rows import class_row

from moviecore import User, UsernameTaken
from moviecore.ports import AlreadyStored

from ._collections import remove_owned
from ._pool import Connection, Pool, read, write

_COLUMNS = "id, username, password_hash, created_at, operator"


class PostgresUserRepository:
    """The UserRepository port over the ``users`` table."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def add(self, user: User) -> None:
        """Store a new user; raise UsernameTaken or AlreadyStored if the name or id is taken."""

        async def insert(conn: Connection) -> None:
            await conn.execute(
                "INSERT INTO users (id, username, username_key, password_hash, created_at,"
                " operator) VALUES (%(id)s, %(username)s, %(key)s, %(password_hash)s,"
                " %(created_at)s, %(operator)s)",
                {
                    "id": user.id,
                    "username": user.username,
                    "key": user.username.casefold(),
                    "password_hash": user.password_hash,
                    "created_at": user.created_at,
                    "operator": user.operator,
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

    async def change_password(self, user_id: UUID, password_hash: str) -> bool:
        """Store a new password hash; False if there is no such user."""
        return await self._changed(
            "UPDATE users SET password_hash = %(hash)s WHERE id = %(id)s",
            {"hash": password_hash, "id": user_id},
        )

    async def set_operator(self, username: str, operator: bool) -> User | None:
        """Grant or take back the operator role; the user as stored now, or None."""
        if "\x00" in username:
            return None

        async def update(conn: Connection) -> User | None:
            cursor = conn.cursor(row_factory=class_row(User))
            await cursor.execute(
                f"UPDATE users SET operator = %(operator)s WHERE username_key = %(key)s"
                f" RETURNING {_COLUMNS}",
                {"operator": operator, "key": username.casefold()},
            )
            return await cursor.fetchone()

        return await write(self._pool, update)

    async def remove(self, user_id: UUID) -> bool:
        """Erase the user with its collections, genre counts and sessions, in one transaction."""

        async def delete(conn: Connection) -> bool:
            await remove_owned(conn, user_id)
            await conn.execute("DELETE FROM sessions WHERE user_id = %(id)s", {"id": user_id})
            cursor = await conn.execute("DELETE FROM users WHERE id = %(id)s", {"id": user_id})
            return cursor.rowcount == 1

        return await write(self._pool, delete)

    async def _changed(self, statement: str, params: dict[str, object]) -> bool:
        async def change(conn: Connection) -> bool:
            return (await conn.execute(statement, params)).rowcount == 1

        return await write(self._pool, change)

    async def _one(self, query: str, key: object) -> User | None:
        async def select(conn: Connection) -> User | None:
            cursor = conn.cursor(row_factory=class_row(User))
            await cursor.execute(query, {"key": key})
            return await cursor.fetchone()

        return await read(self._pool, select)
