"""The caches in front of authentication and search remember successes for a bounded time,
failures never."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import timedelta
from pathlib import Path

import pytest

from adapters.caching import RecentSearches, RecentUsers
from adapters.security import JwtTokenIssuer
from adapters.sqlite import open_store
from moviecore import CatalogPage, InvalidToken, Movie, MovieQuery, User
from moviecore.testing import ManualClock

SECRET = "a test secret that is long enough for HS256 keys"


def _delete_user(connection: sqlite3.Connection, user_id: uuid.UUID) -> None:
    connection.execute("DELETE FROM users WHERE id = ?", (str(user_id),))


@pytest.mark.anyio
async def test_a_user_deleted_in_the_database_is_gone_once_the_ttl_passes(tmp_path: Path) -> None:
    """A user removed behind the service's back is still found within the TTL, then not."""
    clock = ManualClock()
    async with open_store(tmp_path / "db.sqlite3") as store:
        users = RecentUsers(store.users, ttl=60.0, clock=clock)
        user = User(uuid.uuid4(), "ada", "hash")
        await users.add(user)
        first = await users.by_id(user.id)
        await store.database.write(lambda connection: _delete_user(connection, user.id))
        clock.advance(59)
        within = await users.by_id(user.id)
        clock.advance(1)
        after = await users.by_id(user.id)
    assert (first, within, after) == (user, user, None)


@pytest.mark.anyio
async def test_an_unknown_user_is_not_remembered(tmp_path: Path) -> None:
    """Asking for a user before it exists does not hide it once it is added."""
    async with open_store(tmp_path / "db.sqlite3") as store:
        users = RecentUsers(store.users, clock=ManualClock())
        user = User(uuid.uuid4(), "ada", "hash")
        before = await users.by_id(user.id)
        await users.add(user)
        after = await users.by_id(user.id)
    assert (before, after) == (None, user)


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    """A token verified while valid is still valid a second before its expiry, refused at it."""
    clock = ManualClock(1_700_000_000.0)
    tokens = JwtTokenIssuer(SECRET, lifetime=timedelta(days=1), leeway=timedelta(0), clock=clock)
    user_id = uuid.uuid4()
    token = tokens.issue(user_id)
    valid = tokens.verify(token)
    clock.advance(timedelta(days=1).total_seconds() - 1)
    still_valid = tokens.verify(token)
    clock.advance(1)
    with pytest.raises(InvalidToken):
        tokens.verify(token)
    assert (valid, still_valid) == (user_id, user_id)


def test_a_forged_token_is_refused_every_time() -> None:
    """A token that failed once fails again: refusals are never remembered as successes."""
    tokens = JwtTokenIssuer(SECRET)
    forged = JwtTokenIssuer("another secret, also long enough for HS256").issue(uuid.uuid4())
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.verify(forged)


@pytest.mark.anyio
async def test_a_search_shows_a_changed_catalog_once_the_ttl_passes(tmp_path: Path) -> None:
    """A search asked again within the TTL answers as before; after it, the catalog as it is
    now; the listing always shows the catalog as it is."""
    clock = ManualClock()
    heat = Movie(uuid=uuid.uuid4(), title="Heat", description="", genres="Crime")
    query = MovieQuery(words=("heat",))
    async with open_store(tmp_path / "db.sqlite3") as store:
        catalog = RecentSearches(store.catalog, ttl=5.0, clock=clock)
        before = await catalog.search(query, 1)
        await store.catalog.put([heat])
        clock.now = 4.9
        within, listed = await catalog.search(query, 1), await catalog.page(1)
        clock.now = 5.0
        after = await catalog.search(query, 1)
    assert (before, within, listed.movies[-1], after) == (
        CatalogPage((), 0, 1, has_next=False),
        CatalogPage((), 0, 1, has_next=False),
        heat,
        CatalogPage((heat,), 1, 1, has_next=False),
    )
