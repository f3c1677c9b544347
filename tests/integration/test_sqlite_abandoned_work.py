"""SQLite work abandoned while queued for the writing thread.

Concurrent writes are contract cases (moviecore.testing.contracts), run on every adapter.
"""

from __future__ import annotations

import threading
from pathlib import Path
from uuid import uuid4

import anyio
import pytest

from adapters.sqlite import open_store
from moviecore import Collection, Movie, User
from moviecore.ports import CollectionSlice


def _movies(seed: int) -> tuple[Movie, ...]:
    """A few movies whose number and genres depend on ``seed``."""
    return tuple(
        Movie(uuid=uuid4(), title=f"Film {seed}.{n}", description="", genres="Drama")
        for n in range(1 + seed % 4)
    )


@pytest.mark.anyio
async def test_request_abandoned_before_its_turn_writes_nothing(tmp_path: Path) -> None:
    """A collection add given up while still queued behind other work is never stored."""
    owner = User(id=uuid4(), username="owner", password_hash="hash")
    abandoned = Collection(
        uuid=uuid4(), owner=owner.id, title="Abandoned", description="", movies=_movies(1)
    )
    gate = threading.Event()
    async with open_store(tmp_path / "moviecore.sqlite3") as store:
        await store.users.add(owner)
        async with anyio.create_task_group() as group:
            # Holds the writing thread until the add behind it has been abandoned.
            group.start_soon(store.database.write, lambda _: gate.wait(5))
            async with anyio.create_task_group() as adding:
                adding.start_soon(store.collections.add, abandoned)
                await anyio.wait_all_tasks_blocked()
                adding.cancel_scope.cancel()
            gate.set()
        assert await store.collections.page(owner.id, 0, 10) == CollectionSlice(
            summaries=(), count=0, genre_counts={}
        )
