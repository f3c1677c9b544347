"""The embedded request counter: its count file and its database row, through restarts.

A crash of the serving process is in ``test_faults_crashes``; here the files are
handled as a power cut or an operator would leave them.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import anyio
import pytest

from adapters.sqlite import SqliteStore, open_counter, open_store
from moviecore import StorageUnavailable

# Long enough that only close and reset store the count during a test.
NEVER = 3600.0
COUNT_FILE = "moviecore.sqlite3-count"


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A freshly created SQLite store; its count file goes next to it."""
    async with open_store(tmp_path / "moviecore.sqlite3") as opened:
        yield opened


async def _count_then_close(store: SqliteStore, n: int) -> None:
    async with open_counter(store, flush_interval=NEVER) as counter:
        await counter.add(n)


async def _reopened_count(store: SqliteStore) -> int:
    async with open_counter(store, flush_interval=NEVER) as counter:
        return await counter.read()


def _stored_row(path: Path) -> int:
    with closing(sqlite3.connect(path)) as connection:
        (value,) = connection.execute("SELECT n FROM request_count").fetchone()
    return int(value)


@pytest.mark.anyio
async def test_count_goes_on_after_closing_and_reopening(store: SqliteStore) -> None:
    """Counts made before a restart are all there after it, and new ones add to them."""
    await _count_then_close(store, 3)
    await _count_then_close(store, 2)
    assert await _reopened_count(store) == 5


@pytest.mark.anyio
async def test_count_reaches_the_database_in_the_background(store: SqliteStore) -> None:
    """Requests counted by a running counter reach the database row without it closing."""
    async with open_counter(store, flush_interval=0.01) as running:
        await running.add(4)
        stored = 0
        with anyio.fail_after(30):
            while stored != 4:
                await anyio.sleep(0.01)  # polling interval while the background task runs
                stored = _stored_row(store.path)
        assert (await running.read(), stored) == (4, 4)


@pytest.mark.anyio
async def test_reset_is_stored_before_it_returns(store: SqliteStore) -> None:
    """Right after a reset, before any flush or close, the database row holds 0."""
    await _count_then_close(store, 5)
    async with open_counter(store, flush_interval=NEVER) as counter:
        before_reset = await counter.read()
        await counter.reset()
        stored = _stored_row(store.path)
    assert (before_reset, stored, await _reopened_count(store)) == (5, 0, 0)


@pytest.mark.anyio
async def test_a_count_file_behind_the_database_gives_way(store: SqliteStore) -> None:
    """A count file that lost its last writes, as after a power cut, yields to the database."""
    count_file = store.path.with_name(COUNT_FILE)
    await _count_then_close(store, 2)
    stale = count_file.read_bytes()
    await _count_then_close(store, 3)
    count_file.write_bytes(stale)
    assert (await _reopened_count(store), await _reopened_count(store)) == (5, 5)


@pytest.mark.anyio
async def test_a_missing_count_file_starts_from_the_database(store: SqliteStore) -> None:
    """With its count file deleted, the counter goes on from the count in the database."""
    await _count_then_close(store, 4)
    store.path.with_name(COUNT_FILE).unlink()
    assert await _reopened_count(store) == 4


@pytest.mark.anyio
async def test_an_unreadable_count_file_is_logged_and_replaced(
    store: SqliteStore, caplog: pytest.LogCaptureFixture
) -> None:
    """A count file holding something else is reported, then written anew from the database."""
    count_file = store.path.with_name(COUNT_FILE)
    await _count_then_close(store, 4)
    count_file.write_bytes(b"not a count")
    with caplog.at_level(logging.WARNING):
        first = await _reopened_count(store)
    assert (first, await _reopened_count(store), caplog.messages) == (
        4,
        4,
        [f"the request count file {count_file} is unreadable; it is written anew"],
    )


@pytest.mark.anyio
async def test_a_second_counter_on_one_database_is_refused(store: SqliteStore) -> None:
    """While one counter counts in a database's file, opening another one fails clearly."""
    async with open_counter(store, flush_interval=NEVER) as first:
        with pytest.raises(StorageUnavailable) as refused:
            async with open_counter(store, flush_interval=NEVER):
                pass
        await first.add()
    assert (str(refused.value), await _reopened_count(store)) == (
        f"another moviecore serve uses DATA_DIR {store.path.parent} (it holds {COUNT_FILE}):"
        " stop it first, or set another DATA_DIR",
        1,
    )
