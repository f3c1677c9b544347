"""The caches in front of authentication and search remember successes for a bounded time,
failures never."""

from __future__ import annotations

import asyncio
import sqlite3
import uuid
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from adapters import postgres
from adapters.caching import RecentSearches, RecentSessions
from adapters.sqlite import open_store
from moviecore import CatalogPage, InvalidToken, Movie, SignedIn, TokenExpired
from moviecore.ports import MovieQuery, Session
from moviecore.security import JwtTokenIssuer
from moviecore.testing import ManualClock

SECRET = "a test secret that is long enough for HS256 keys"


def _end_elsewhere(connection: sqlite3.Connection, session: Session) -> None:
    """What another worker ending the session does to the database."""
    connection.execute("DELETE FROM sessions WHERE id = ?", (str(session.id),))


def _session() -> Session:
    return Session(id=uuid.uuid4(), user=uuid.uuid4(), generation=0, expires_at=4e9)


@pytest.mark.anyio
async def test_a_session_ended_elsewhere_is_refused_once_the_ttl_passes(tmp_path: Path) -> None:
    """A session ended behind this worker's back is still found within the TTL, then not."""
    clock = ManualClock()
    async with open_store(tmp_path / "db.sqlite3") as store:
        sessions = RecentSessions(store.sessions, ttl=0.5, clock=clock)
        session = _session()
        await sessions.start(session)
        first = await sessions.find(session.id)
        await store.database.write(lambda connection: _end_elsewhere(connection, session))
        clock.advance(0.4)
        within = await sessions.find(session.id)
        clock.advance(0.1)
        after = await sessions.find(session.id)
    assert (first, within, after) == (session, session, None)


@pytest.mark.anyio
async def test_a_session_ended_here_is_refused_at_once(tmp_path: Path) -> None:
    """Ending one session, or all of a user's but one, refuses them on this worker at once,
    however recently they were found; the kept one and other users' stay found."""
    async with open_store(tmp_path / "db.sqlite3") as store:
        sessions = RecentSessions(store.sessions, ttl=0.5, clock=ManualClock())
        one, kept, stranger = _session(), _session(), _session()
        other = replace(_session(), user=kept.user)
        for started in (one, kept, other, stranger):
            await sessions.start(started)
            await sessions.find(started.id)
        await sessions.end(one.id)
        await sessions.end_all(kept.user, keep=kept.id)
        found = [await sessions.find(s.id) for s in (one, kept, other, stranger)]
    assert found == [None, kept, None, stranger]


@pytest.mark.anyio
async def test_a_read_overtaken_by_an_ending_is_not_remembered(
    migrated_postgres_url: str,
) -> None:
    """A session found live by a read sent before this worker ended it is not remembered:
    the next request asks again and is refused (PostgreSQL, where a read takes a while)."""
    async with postgres.open_store(migrated_postgres_url, max_size=2) as store:
        sessions = RecentSessions(store.sessions, ttl=0.5, clock=ManualClock())
        session = _session()
        await sessions.start(session)
        reading = asyncio.create_task(sessions.find(session.id))
        await asyncio.sleep(0)  # the read is sent, its answer not yet in
        await sessions.end(session.id)
        await reading
        assert await sessions.find(session.id) is None


def test_a_remembered_token_is_refused_once_it_expires() -> None:
    """A token verified while valid is still valid a second before its expiry, refused at it."""
    clock = ManualClock(1_700_000_000.0)
    tokens = JwtTokenIssuer(
        SECRET, access_lifetime=timedelta(days=1), leeway=timedelta(0), clock=clock
    )
    session = _session()
    token = tokens.issue(session).access_token
    valid = tokens.verify(token)
    clock.advance(timedelta(days=1).total_seconds() - 1)
    still_valid = tokens.verify(token)
    clock.advance(1)
    with pytest.raises(TokenExpired):
        tokens.verify(token)
    expected = SignedIn(session.user, session.id)
    assert (valid, still_valid) == (expected, expected)


def test_a_forged_token_is_refused_every_time() -> None:
    """A token that failed once fails again: refusals are never remembered as successes."""
    tokens = JwtTokenIssuer(SECRET)
    forged = JwtTokenIssuer("another secret, also long enough for HS256").issue(_session())
    for _ in range(2):
        with pytest.raises(InvalidToken):
            tokens.verify(forged.access_token)


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
