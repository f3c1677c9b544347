"""Many requests at once on one SQLite store: every collection stays whole, counts stay true."""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import replace
from pathlib import Path
from uuid import UUID, uuid4

import anyio
import pytest

from adapters.sqlite import SqliteStore, open_store
from moviecore import Collection, Movie, User, count_genres

GENRES = ("Drama", "Comedy", "Horror", "War", "Crime", "Sci-Fi")


def _movies(seed: int) -> tuple[Movie, ...]:
    """A few movies whose number and genres depend on ``seed``."""
    return tuple(
        Movie(uuid4(), f"Film {seed}.{n}", "", f"{GENRES[seed % 6]}, {GENRES[(seed + n) % 6]}")
        for n in range(1 + seed % 4)
    )


async def _recount(store: SqliteStore, owner: UUID) -> dict[str, int]:
    """The owner's genre counts computed from scratch over every stored collection."""
    summaries, _ = await store.collections.page(owner, 0, 1000)
    total: Counter[str] = Counter()
    for summary in summaries:
        stored = await store.collections.get(owner, summary.uuid)
        assert stored is not None
        total.update(count_genres(stored.movies))
    return dict(total)


@pytest.mark.anyio
async def test_concurrent_adds_and_replaces_keep_collections_whole(tmp_path: Path) -> None:
    """Fifty concurrent adds and replaces, read meanwhile, leave and show only whole versions."""
    owners = [User(uuid4(), f"owner-{n}", "hash") for n in range(3)]
    originals = [Collection(uuid4(), owners[n % 3].id, f"C{n}", "", _movies(n)) for n in range(6)]
    # Every version each collection may legitimately show, the original included.
    versions: dict[UUID, list[Collection]] = {c.uuid: [c] for c in originals}
    added: list[Collection] = []
    seen: list[Collection | None] = []
    async with open_store(tmp_path / "moviecore.sqlite3") as store:
        for owner in owners:
            await store.users.add(owner)
        for collection in originals:
            await store.collections.add(collection)

        async def write(n: int) -> None:
            if n % 2:
                base = originals[n % 6]
                version = replace(base, title=f"v{n}", movies=_movies(n))
                versions[base.uuid].append(version)
                await store.collections.replace(version)
            else:
                collection = Collection(uuid4(), owners[n % 3].id, f"new {n}", "", _movies(n))
                added.append(collection)
                await store.collections.add(collection)

        async def read(n: int) -> None:
            seen.append(await store.collections.get(originals[n % 6].owner, originals[n % 6].uuid))

        async with anyio.create_task_group() as group:
            for n in range(50):
                group.start_soon(write, n)
                group.start_soon(read, n)

        final = {c.uuid: await store.collections.get(c.owner, c.uuid) for c in originals}
        stored_added = [await store.collections.get(c.owner, c.uuid) for c in added]
        counts = [await store.collections.genre_counts(owner.id) for owner in owners]
        recounts = [await _recount(store, owner.id) for owner in owners]

    torn = [c for c in [*seen, *final.values()] if c is None or c not in versions[c.uuid]]
    assert (torn, stored_added, counts) == ([], added, recounts)


@pytest.mark.anyio
async def test_request_abandoned_before_its_turn_writes_nothing(tmp_path: Path) -> None:
    """A collection add given up while still queued behind other work is never stored."""
    owner = User(uuid4(), "owner", "hash")
    abandoned = Collection(uuid4(), owner.id, "Abandoned", "", _movies(1))
    gate = threading.Event()
    async with open_store(tmp_path / "moviecore.sqlite3") as store:
        await store.users.add(owner)
        async with anyio.create_task_group() as group:
            # Holds the database thread until the add behind it has been abandoned.
            group.start_soon(store.database.read, lambda _: gate.wait(5))
            async with anyio.create_task_group() as adding:
                adding.start_soon(store.collections.add, abandoned)
                await anyio.wait_all_tasks_blocked()
                adding.cancel_scope.cancel()
            gate.set()
        assert await store.collections.page(owner.id, 0, 10) == ([], 0)
