"""How many round trips to PostgreSQL each storage call costs, counted on the wire.

A relay between the pool and the database counts the client's turns to speak: every
time the client sends after the server answered is one round trip, whatever the
statements (BEGIN and COMMIT included).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import replace
from typing import Any
from uuid import uuid4

import pytest
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from adapters.caching import RecentSessions
from adapters.postgres import PostgresStore, open_store
from moviecore import Collection, CollectionChanges, Movie, User
from moviecore.ports import Session
from moviecore.testing import ManualClock


class RoundTripRelay:
    """A TCP relay to one PostgreSQL server that counts round trips over all its connections."""

    def __init__(self, host: str, port: int) -> None:
        self.round_trips = 0
        self._target = (host, port)
        self._relaying: set[asyncio.Future[Any]] = set()

    async def serve(self, client: asyncio.StreamReader, to_client: asyncio.StreamWriter) -> None:
        """Relay one client connection both ways until either side closes."""
        server, to_server = await asyncio.open_connection(*self._target)
        # Whether the client spoke last on this connection: its next message after the
        # server's answer starts a new round trip.
        client_spoke = [False]

        async def pump(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            from_client = source is client
            try:
                while data := await source.read(65536):
                    if from_client and not client_spoke[0]:
                        self.round_trips += 1
                    client_spoke[0] = from_client
                    sink.write(data)
                    await sink.drain()
            finally:
                sink.close()

        # A side that resets the connection just ends the relay.
        both = asyncio.gather(
            pump(client, to_server), pump(server, to_client), return_exceptions=True
        )
        self._relaying.add(both)
        await both
        self._relaying.discard(both)

    async def finish(self) -> None:
        """Wait until every relayed connection has closed."""
        if self._relaying:
            await asyncio.wait(self._relaying)


@asynccontextmanager
async def counting_relay(url: str) -> AsyncIterator[tuple[RoundTripRelay, str]]:
    """A relay to the database at ``url``, and the connection string that goes through it."""
    params = conninfo_to_dict(url)
    relay = RoundTripRelay(str(params.get("host") or "localhost"), int(params.get("port") or 5432))
    server = await asyncio.start_server(relay.serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield relay, make_conninfo(url, host="127.0.0.1", port=port)
        await relay.finish()


async def round_trips_of(relay: RoundTripRelay, call: Callable[[], Awaitable[object]]) -> int:
    """The round trips ``call`` makes."""
    before = relay.round_trips
    await call()
    return relay.round_trips - before


@pytest.fixture
async def measured(
    migrated_postgres_url: str,
) -> AsyncIterator[tuple[RoundTripRelay, PostgresStore]]:
    """A store of one connection, already open, whose traffic the relay counts."""
    async with (
        counting_relay(migrated_postgres_url) as (relay, conninfo),
        open_store(conninfo, min_size=1, max_size=1) as store,
    ):
        await store.ping()
        yield relay, store


def _movies(n: int) -> tuple[Movie, ...]:
    return tuple(Movie(uuid4(), f"Movie {i}", "", "Drama, War") for i in range(n))


@pytest.mark.anyio
async def test_each_storage_call_costs_its_known_number_of_round_trips(
    measured: tuple[RoundTripRelay, PostgresStore],
) -> None:
    """Reads cost one round trip each, a page of the listing with its counts included; writes
    add only BEGIN and COMMIT to the statements they need, and an update or a removal reads
    the collection it locks in one round trip."""
    relay, store = measured
    user = User(id=uuid4(), username="Reader", password_hash="hash")
    kept = Collection(uuid=uuid4(), owner=user.id, title="Kept", description="", movies=_movies(3))
    gone = Collection(uuid=uuid4(), owner=user.id, title="Gone", description="", movies=_movies(2))
    session = Session(id=uuid4(), user=user.id, generation=0, expires_at=4e9)
    calls: dict[str, Callable[[], Awaitable[object]]] = {
        "users.add": lambda: store.users.add(user),
        "users.by_id": lambda: store.users.by_id(user.id),
        "users.by_username": lambda: store.users.by_username("reader"),
        "collections.add": lambda: store.collections.add(kept),
        "collections.add (again)": lambda: store.collections.add(gone),
        "collections.page": lambda: store.collections.page(user.id, 0, 10),
        "collections.get": lambda: store.collections.get(user.id, kept.uuid),
        "collections.update (title)": lambda: store.collections.update(
            user.id, kept.uuid, CollectionChanges(title="Renamed")
        ),
        "collections.update (movies)": lambda: store.collections.update(
            user.id, kept.uuid, CollectionChanges(movies=_movies(1))
        ),
        "collections.remove": lambda: store.collections.remove(user.id, gone.uuid),
        "sessions.start": lambda: store.sessions.start(session),
        "sessions.find": lambda: store.sessions.find(session.id),
        "sessions.rotate": lambda: store.sessions.rotate(replace(session, generation=1)),
        "sessions.end": lambda: store.sessions.end(session.id),
        "sessions.end_all": lambda: store.sessions.end_all(user.id),
        "users.change_password": lambda: store.users.change_password(user.id, "new hash"),
        "users.set_operator": lambda: store.users.set_operator("reader", True),
        "catalog.put": lambda: store.catalog.put(_movies(12)),
        "catalog.page": lambda: store.catalog.page(2),
        "catalog.count": lambda: store.catalog.count(),
        "ping": lambda: store.ping(),
        "collections.remove_all": lambda: store.collections.remove_all(user.id),
        "users.remove": lambda: store.users.remove(user.id),
    }
    costs = {name: await round_trips_of(relay, call) for name, call in calls.items()}
    assert costs == {
        "users.add": 3,
        "users.by_id": 1,
        "users.by_username": 1,
        "collections.add": 3,
        "collections.add (again)": 3,
        "collections.page": 1,
        "collections.get": 1,
        "collections.update (title)": 4,
        "collections.update (movies)": 4,
        "collections.remove": 4,
        "sessions.start": 1,
        "sessions.find": 1,
        "sessions.rotate": 1,
        "sessions.end": 1,
        "sessions.end_all": 1,
        "users.change_password": 3,
        "users.set_operator": 3,
        "catalog.put": 3,
        "catalog.page": 1,
        "catalog.count": 1,
        "ping": 1,
        "collections.remove_all": 5,
        "users.remove": 7,
    }


@pytest.mark.anyio
async def test_a_session_found_live_costs_no_round_trip_for_a_while(
    measured: tuple[RoundTripRelay, PostgresStore],
) -> None:
    """An authenticated request's session check reads the database once, then not again for
    the cache's 0.5 s; a session found ended is not read again; one not cached (a cache of
    0 s, as SESSION_CACHE_MS=0 makes) costs a round trip every time."""
    relay, store = measured
    clock = ManualClock()
    cached = RecentSessions(store.sessions, ttl=0.5, clock=clock)
    uncached = RecentSessions(store.sessions, ttl=0.0, clock=clock)
    live = Session(id=uuid4(), user=uuid4(), generation=0, expires_at=4e9)
    await store.sessions.start(live)
    costs = []
    for advance in (0.0, 0.0, 0.4, 0.2):
        clock.advance(advance)
        costs.append(await round_trips_of(relay, lambda: cached.find(live.id)))
    gone = uuid4()
    ended = [await round_trips_of(relay, lambda: cached.find(gone)) for _ in range(2)]
    every_time = [await round_trips_of(relay, lambda: uncached.find(live.id)) for _ in range(3)]
    assert (costs, ended, every_time) == ([1, 0, 0, 1], [1, 0], [1, 1, 1])
