"""Where each sync of the local catalog stopped, in the ``catalog_sync`` table."""

from __future__ import annotations

from moviecore.ports import SyncMark

from ._database import Database


class SqliteSyncCursor:
    """The SyncCursor of ``moviecore catalog sync`` in the embedded database."""

    def __init__(self, database: Database) -> None:
        self._database = database

    async def read(self, source: str) -> SyncMark | None:
        """The mark of ``source``; None if it was never synced."""
        row = await self._database.read(
            lambda connection: connection.execute(
                "SELECT last_page, at_end FROM catalog_sync WHERE source = ?", (source,)
            ).fetchone()
        )
        return None if row is None else SyncMark(page=row[0], at_end=bool(row[1]))

    async def write(self, source: str, mark: SyncMark) -> None:
        """Record ``mark`` as where the sync of ``source`` stands now."""
        await self._database.write(
            lambda connection: connection.execute(
                "INSERT INTO catalog_sync (source, last_page, at_end) VALUES (?, ?, ?)"
                " ON CONFLICT (source) DO UPDATE"
                " SET last_page = excluded.last_page, at_end = excluded.at_end",
                (source, mark.page, int(mark.at_end)),
            )
        )
