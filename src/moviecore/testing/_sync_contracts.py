"""The contract of the SyncCursor port: where each source's catalog sync stopped."""

from __future__ import annotations

from uuid import uuid4

import pytest

from moviecore.ports import SyncCursor, SyncMark

from ._contract_base import Contract


def _source() -> str:
    # Unique per test, so that a database shared between tests cannot leak marks.
    return f"https://catalog.example/{uuid4().hex}/movies/"


class SyncCursorContract(Contract):
    """A sync cursor: one mark per source, the last written, None before the first."""

    @pytest.mark.anyio
    async def test_a_source_never_synced_has_no_mark(self, sync_cursor: SyncCursor) -> None:
        """A sync of a new source starts from nothing."""
        assert await sync_cursor.read(_source()) is None

    @pytest.mark.anyio
    async def test_the_last_mark_written_is_read(self, sync_cursor: SyncCursor) -> None:
        """Each mark replaces the one before: a resumed sync starts after the latest page."""
        source = _source()
        await sync_cursor.write(source, SyncMark(page=3, at_end=False))
        first = await sync_cursor.read(source)
        await sync_cursor.write(source, SyncMark(page=7, at_end=True))
        assert (first, await sync_cursor.read(source)) == (
            SyncMark(page=3, at_end=False),
            SyncMark(page=7, at_end=True),
        )

    @pytest.mark.anyio
    async def test_sources_keep_marks_of_their_own(self, sync_cursor: SyncCursor) -> None:
        """Syncing one source moves neither the mark of another nor makes one for it."""
        one, two, never = _source(), _source(), _source()
        await sync_cursor.write(one, SyncMark(page=4, at_end=False))
        await sync_cursor.write(two, SyncMark(page=9, at_end=True))
        await sync_cursor.write(one, SyncMark(page=5, at_end=False))
        marks = [await sync_cursor.read(source) for source in (one, two, never)]
        assert marks == [SyncMark(page=5, at_end=False), SyncMark(page=9, at_end=True), None]
