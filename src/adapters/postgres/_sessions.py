"""Sessions in PostgreSQL: one row per session that has not ended.

Every call is one statement outside any transaction, atomic by itself: one round
trip. Finding a session is what every authenticated request asks (``RecentSessions``
keeps the answer for a moment). A rotation is one UPDATE naming the generation it
replaces: of two at once, the second waits for the first's row lock, then finds
the generation moved and changes nothing.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from uuid import UUID

from moviecore.ports import Session

from ._pool import Connection, Pool, read

_FIND = "SELECT id, user_id, generation, expires_at FROM sessions WHERE id = %(id)s"


class PostgresSessionStore:
    """The SessionStore port over the ``sessions`` table.

    Starting a session deletes those whose refresh token expired by ``clock`` (Unix
    seconds), through the expiry index, so the table holds live sessions only.
    """

    def __init__(self, pool: Pool, *, clock: Callable[[], float] = time.time) -> None:
        self._pool = pool
        self._clock = clock

    async def start(self, session: Session) -> None:
        """Store a new session, forgetting expired ones: one statement, one round trip."""
        await self._changed(
            "WITH expired AS (DELETE FROM sessions WHERE expires_at <= %(now)s)"
            " INSERT INTO sessions (id, user_id, generation, expires_at)"
            " VALUES (%(id)s, %(user)s, %(generation)s, %(expires_at)s)",
            {**_row(session), "now": self._clock()},
        )

    async def find(self, session_id: UUID) -> Session | None:
        """The session with this id, if it has not ended."""

        async def select(conn: Connection) -> Session | None:
            cursor = await conn.execute(_FIND, {"id": session_id})
            row = await cursor.fetchone()
            if row is None:
                return None
            found, user, generation, expires_at = row
            return Session(id=found, user=user, generation=generation, expires_at=expires_at)

        return await read(self._pool, select)

    async def rotate(self, session: Session) -> bool:
        """Store the next generation, only over the one before it."""
        return await self._changed(
            "UPDATE sessions SET generation = %(generation)s, expires_at = %(expires_at)s"
            " WHERE id = %(id)s AND generation = %(generation)s - 1",
            _row(session),
        )

    async def end(self, session_id: UUID) -> bool:
        """End the session; False if it had ended already."""
        return await self._changed("DELETE FROM sessions WHERE id = %(id)s", {"id": session_id})

    async def end_all(self, user: UUID, *, keep: UUID | None = None) -> None:
        """End every session of ``user`` but ``keep``."""
        await self._changed(
            "DELETE FROM sessions WHERE user_id = %(user)s AND id IS DISTINCT FROM %(keep)s",
            {"user": user, "keep": keep},
        )

    async def _changed(self, statement: str, params: dict[str, object]) -> bool:
        # One statement in autocommit: atomic by itself, no BEGIN and COMMIT to send.
        async def change(conn: Connection) -> bool:
            return (await conn.execute(statement, params)).rowcount > 0

        return await read(self._pool, change)


def _row(session: Session) -> dict[str, object]:
    return {
        "id": session.id,
        "user": session.user,
        "generation": session.generation,
        "expires_at": session.expires_at,
    }
