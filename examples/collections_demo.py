"""moviecore as a library, without HTTP: register, browse, collect, list, update, delete.

Run it with ``python examples/collections_demo.py``: it keeps its data in a
SQLite file in a temporary folder. ``MovieCore`` holds the ports once, so the
same program runs on any storage: ``build_ports`` is the one place that chooses
the adapters.
"""

from __future__ import annotations

import asyncio
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

from adapters.login_throttle import LocalLoginThrottle
from adapters.sqlite import open_counter, open_store
from moviecore import CollectionChanges, CollectionDraft, Movie, MovieCore
from moviecore.ports import Ports
from moviecore.security import BcryptPasswordHasher, JwtTokenIssuer

CATALOG = (
    Movie(UUID("4bd21b3c-7a4b-4c4c-8fb1-52bbbd1a0d0b"), "Seven Samurai", "Ronin.", "Action, Drama"),
    Movie(UUID("0c9d5f4e-2b6a-4f1e-9c3d-7a8b6e5d4c3b"), "Tokyo Story", "Family.", "Drama"),
    Movie(UUID("9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b"), "Playtime", "Paris.", "Comedy"),
    Movie(UUID("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"), "Alien", "Nostromo.", "Horror, Sci-Fi"),
)


@asynccontextmanager
async def build_ports(folder: Path) -> AsyncIterator[Ports]:
    """Open SQLite adapters on a file in ``folder``, and close them after; any ``Ports`` will do."""
    async with open_store(folder / "demo.sqlite3") as store, open_counter(store) as counter:
        await store.catalog.put(CATALOG)
        yield Ports(
            users=store.users,
            collections=store.collections,
            catalog=store.catalog,
            counter=counter,
            hasher=BcryptPasswordHasher(rounds=4),  # a demo: fast rather than strong
            tokens=JwtTokenIssuer(secrets.token_urlsafe(32)),
            throttle=LocalLoginThrottle(),
            sessions=store.sessions,
        )


async def demo(core: MovieCore) -> list[str]:
    """Walk through every use case once and say what happened, a line each."""
    await core.register_user("ada", "correct horse battery")
    tokens = await core.login_for_tokens("ada", "correct horse battery", address="127.0.0.1")
    user = (await core.authenticate(tokens.access_token)).user
    catalog = await core.list_movies(1)
    draft = CollectionDraft("Rainy Sunday", "Long films for short days", catalog.movies[:3])
    uuid = await core.create_collection(user, draft)
    await core.create_collection(user, CollectionDraft("Late night", movies=catalog.movies[3:]))
    changes = CollectionChanges(title="Rainy weekend", movies=catalog.movies[1:3])
    await core.update_collection(user, uuid, changes)
    updated = await core.get_collection(user, uuid)
    listed = await core.list_collections(user)
    await core.delete_collection(user, uuid)
    remaining = await core.list_collections(user)
    return [
        f"catalog: {catalog.count} movies, page 1 shows {len(catalog.movies)}",
        f"updated: {updated.title!r} holds {', '.join(m.title for m in updated.movies)}",
        f"listed: {', '.join(c.title for c in listed.collections)} (newest first)",
        f"favourite genres: {listed.favourite_genres}",
        f"after delete: {remaining.count} collection left",
    ]


async def _main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        async with build_ports(Path(folder)) as ports:
            for line in await demo(MovieCore(ports)):
                print(line)


if __name__ == "__main__":
    asyncio.run(_main())
