"""Sessions in SQLite: one row per session that has not ended."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from typing import Any
from uuid import UUID

from moviecore.ports import Session

from ._database import Database

_FIND = "SELECT id, user_id, generation, expires_at FROM sessions WHERE id = :id"


class SqliteSessionStore:
    """The SessionStore port over the ``sessions`` table.

    Starting a session deletes those whose refresh token expired by ``clock`` (Unix
    seconds), through the expiry index, so the table holds live sessions only.
    """

    def __init__(self, database: Database, *, clock: Callable[[], float] = time.time) -> None:
        self._database = database
        self._clock = clock

    async def start(self, session: Session) -> None:
        """Store a new session, forgetting expired ones."""
        now = self._clock()

        def insert(connection: sqlite3.Connection) -> None:
            connection.execute("DELETE FROM sessions WHERE expires_at <= :now", {"now": now})
            connection.execute(
                "INSERT INTO sessions (id, user_id, generation, expires_at)"
                " VALUES (:id, :user, :generation, :expires_at)",
                _row(session),
            )

        await self._database.write(insert)

    async def find(self, session_id: UUID) -> Session | None:
        """The session with this id, if it has not ended."""

        def select(connection: sqlite3.Connection) -> Any:
            return connection.execute(_FIND, {"id": str(session_id)}).fetchone()

        row = await self._database.read(select)
        if row is None:
            return None
        found, user, generation, expires_at = row
        return Session(
            id=UUID(found), user=UUID(user), generation=generation, expires_at=expires_at
        )

    async def rotate(self, session: Session) -> bool:
        """Store the next generation, only over the one before it."""
        return await self._changed(
            "UPDATE sessions SET generation = :generation, expires_at = :expires_at"
            " WHERE id = :id AND generation = :generation - 1",
            _row(session),
        )

    async def end(self, session_id: UUID) -> bool:
        """End the session; False if it had ended already."""
        return await self._changed("DELETE FROM sessions WHERE id = :id", {"id": str(session_id)})

    async def end_all(self, user: UUID, *, keep: UUID | None = None) -> None:
        """End every session of ``user`` but ``keep``."""
        await self._changed(
            "DELETE FROM sessions WHERE user_id = :user AND id IS NOT :keep",
            {"user": str(user), "keep": None if keep is None else str(keep)},
        )

    async def _changed(self, statement: str, params: dict[str, object]) -> bool:
        def change(connection: sqlite3.Connection) -> bool:
            return connection.execute(statement, params).rowcount > 0

        return await self._database.write(change)


def _row(session: Session) -> dict[str, object]:
    return {
        "id": str(session.id),
        "user": str(session.user),
        "generation": session.generation,
        "expires_at": session.expires_at,
    }
