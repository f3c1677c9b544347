"""Where each sync of the local catalog stopped, in the ``catalog_sync`` table."""

from __future__ import annotations

from typing import Any

from moviecore.ports import SyncMark

from ._pool import Connection, Pool, read, write


class PostgresSyncCursor:
    """The SyncCursor of ``moviecore catalog sync`` in the shared database."""

    def __init__(self, pool: Pool) -> None:
        self._pool = pool

    async def read(self, source: str) -> SyncMark | None:
        """The mark of ``source``; None if it was never synced."""

        async def select(conn: Connection) -> tuple[Any, ...] | None:
            cursor = await conn.execute(
                "SELECT last_page, at_end FROM catalog_sync WHERE source = %(source)s",
                {"source": source},
            )
            return await cursor.fetchone()

        row = await read(self._pool, select)
        return None if row is None else SyncMark(page=row[0], at_end=row[1])

    async def write(self, source: str, mark: SyncMark) -> None:
        """Record ``mark`` as where the sync of ``source`` stands now."""

        async def upsert(conn: Connection) -> None:
            await conn.execute(
                "INSERT INTO catalog_sync (source, last_page, at_end)"
                " VALUES (%(source)s, %(page)s, %(at_end)s)"
                " ON CONFLICT (source) DO UPDATE"
                " SET last_page = EXCLUDED.last_page, at_end = EXCLUDED.at_end",
                {"source": source, "page": mark.page, "at_end": mark.at_end},
            )

        await write(self._pool, upsert)
