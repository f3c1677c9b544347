"""SQLite work runs off the event loop: reads, writes and search hold up no other request.

Each test holds a database thread on a gate that only the test, on the event loop, opens
once the other work has answered. Work that waited behind the held thread, or ran on the
loop, could answer only after the gate gave up waiting: the held work reports that it
waited in vain, and the test fails. Nothing is timed.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from uuid import uuid4

import pytest

from adapters.sqlite import SqliteStore, open_store
from moviecore import CatalogPage, Movie, User
from moviecore.ports import MovieQuery

GATE_SECONDS = 60.0
"""How long held work waits for its gate before it gives up: only ever reached by a failure."""

_USER = User(id=uuid4(), username="reader", password_hash="hash")
_MOVIE = Movie(uuid=uuid4(), title="Heat", description="A heist.", genres="Crime")


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[SqliteStore]:
    """A store holding one user and a one-movie catalog."""
    async with open_store(tmp_path / "moviecore.sqlite3") as opened:
        await opened.users.add(_USER)
        await opened.catalog.put([_MOVIE])
        yield opened


def _held(gate: threading.Event) -> Callable[[sqlite3.Connection], bool]:
    """Work that holds its thread until ``gate`` opens; True if it opened in time."""

    def hold(connection: sqlite3.Connection) -> bool:
        return gate.wait(GATE_SECONDS)

    return hold


@pytest.mark.anyio
async def test_reads_and_search_answer_while_a_write_holds_the_writer(store: SqliteStore) -> None:
    """A user lookup and a search answer while a long write is still under way."""
    gate = threading.Event()
    writing = asyncio.ensure_future(store.database.write(_held(gate)))
    await asyncio.sleep(0)  # the write has started
    found = await store.users.by_username("reader")
    searched = await store.catalog.search(MovieQuery(words=("heat",)), 1)
    gate.set()
    assert (found, searched, await writing) == (
        _USER,
        CatalogPage(movies=(_MOVIE,), count=1, page=1, has_next=False),
        True,
    )


@pytest.mark.anyio
async def test_a_search_answers_while_a_long_read_holds_a_reader(store: SqliteStore) -> None:
    """A long read holds one reading thread; a search on another answers meanwhile."""
    gate = threading.Event()
    reading = asyncio.ensure_future(store.database.read(_held(gate)))
    await asyncio.sleep(0)  # the read has started
    searched = await store.catalog.search(MovieQuery(words=("heat",)), 1)
    gate.set()
    assert (searched.count, await reading) == (1, True)


@pytest.mark.anyio
async def test_the_event_loop_runs_while_a_read_and_a_write_are_under_way(
    store: SqliteStore,
) -> None:
    """While a read and a write each hold their thread, the loop goes on and opens them."""
    gate = threading.Event()
    reading = asyncio.ensure_future(store.database.read(_held(gate)))
    writing = asyncio.ensure_future(store.database.write(_held(gate)))
    await asyncio.sleep(0)  # each has started: on the loop, it would hold it right here
    gate.set()
    assert (await reading, await writing) == (True, True)
