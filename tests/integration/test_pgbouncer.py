"""The service behind PgBouncer in transaction mode: mixed traffic, migrations, restarts.

Every server here reaches PostgreSQL through the session's PgBouncer (see
``fixtures.pooler``), which lends a few server connections to many clients, one
transaction at a time. Traffic is a number of journeys, each one user's whole
round of requests; each journey checks every status it gets.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import threading
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import psycopg
import pytest

from fixtures.pooler import PgBouncer
from fixtures.server import (
    ServerProcess,
    distributed_environment,
    moviecore_command,
    run_server,
)
from fixtures.services import fresh_redis_prefix, migrated_database

CLIENTS = 8
JOURNEYS = 4
"""Journeys per client in the mixed workload: 8 x 4 x 16 = 512 requests."""
MAX_JOURNEYS = 40
"""Journeys per client at most while traffic waits for something else to finish."""
MIGRATIONS = 4
MIGRATE_SECONDS = 60.0
"""Far longer than a migration takes; a ``moviecore migrate`` still running then hangs."""

Statuses = list[tuple[str, int]]


def _movie(genres: str) -> dict[str, str]:
    return {"uuid": str(uuid.uuid4()), "title": "Film", "description": "", "genres": genres}


async def _journey(http: httpx.AsyncClient) -> Statuses:
    """One new user's round: account, collections written and read, catalog, count, health."""
    statuses: Statuses = []

    async def send(
        step: str,
        method: str,
        path: str,
        *,
        json: object = None,
        headers: dict[str, str] | None = None,
    ) -> httpx.Response:
        response = await http.request(method, path, json=json, headers=headers)
        statuses.append((step, response.status_code))
        return response

    credentials = {"username": f"user_{uuid.uuid4().hex[:16]}", "password": "a long password"}
    await send("register", "POST", "/register/", json=credentials)
    login = await send("login", "POST", "/login/", json=credentials)
    auth = {"Authorization": f"Bearer {login.json().get('access_token')}"}
    created = []
    for genres in ("Drama", "Comedy, Drama", "War"):
        body = {"title": genres, "movies": [_movie(genres), _movie("Drama")]}
        answer = await send("create", "POST", "/collections/", json=body, headers=auth)
        created.append(answer.json().get("collection_uuid"))
    await send("list", "GET", "/collections/", headers=auth)
    for collection in created:
        await send("read", "GET", f"/collections/{collection}/", headers=auth)
    renamed = {"title": "New"}
    matching = {"If-Match": '"1"', **auth}
    await send("update", "PUT", f"/collections/{created[0]}/", json=renamed, headers=matching)
    await send("delete", "DELETE", f"/collections/{created[1]}/", headers=auth)
    await send("deleted", "GET", f"/collections/{created[1]}/", headers=auth)
    for page in (1, 2):
        await send("movies", "GET", f"/movies/?page={page}", headers=auth)
    await send("count", "GET", "/request-count/", headers=auth)
    await send("health", "GET", "/health/")
    return statuses


EXPECTED: Statuses = [
    ("register", 201),
    ("login", 200),
    *[("create", 201)] * 3,
    ("list", 200),
    *[("read", 200)] * 3,
    ("update", 200),
    ("delete", 200),
    ("deleted", 404),
    *[("movies", 200)] * 2,
    ("count", 200),
    ("health", 200),
]
"""What every journey must be answered, step by step."""


async def _clients(base_url: str, stop: threading.Event, journeys: int) -> list[Statuses]:
    """Each of CLIENTS clients runs ``journeys`` journeys, or fewer once ``stop`` is set."""

    async def client() -> list[Statuses]:
        done: list[Statuses] = []
        async with httpx.AsyncClient(base_url=base_url, timeout=30) as http:
            while len(done) < journeys and not (done and stop.is_set()):
                done.append(await _journey(http))
        return done

    per_client = await asyncio.gather(*(client() for _ in range(CLIENTS)))
    return [journey for journeys_run in per_client for journey in journeys_run]


@contextmanager
def _traffic(base_url: str) -> Iterator[list[Statuses]]:
    """Journeys run against ``base_url`` while the block runs; the list fills when it ends.

    Each client finishes at least one journey, and stops at MAX_JOURNEYS. A request
    that gets no answer at all fails the test when the block ends.
    """
    stop = threading.Event()
    finished: list[Statuses] = []
    failed: list[Exception] = []

    def run() -> None:
        try:
            finished.extend(asyncio.run(_clients(base_url, stop, MAX_JOURNEYS)))
        except Exception as exc:  # handed to the test's own thread below
            failed.append(exc)

    thread = threading.Thread(target=run)
    thread.start()
    try:
        yield finished
    finally:
        stop.set()
        thread.join()
    if failed:
        raise failed[0]


@pytest.fixture
def environment(pgbouncer: PgBouncer) -> Iterator[dict[str, str]]:
    """Settings of two-worker servers sharing a migrated database through PgBouncer."""
    with migrated_database() as database_url, fresh_redis_prefix() as prefix:
        yield distributed_environment(pgbouncer.url(database_url), prefix, workers=2)


@pytest.fixture
def pooled_server(tmp_path: Path, environment: dict[str, str]) -> Iterator[ServerProcess]:
    """A two-worker server whose database connections all go through PgBouncer."""
    yield from run_server(tmp_path / "server", environment)


def _migrate(environment: dict[str, str], folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*moviecore_command(), "migrate"],
        env={**os.environ, **environment},
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _outcome(process: subprocess.Popen[str]) -> tuple[int | None, str]:
    """The exit code and output of a migration, or None and "hung" if it does not finish."""
    try:
        output, _ = process.communicate(timeout=MIGRATE_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None, "hung"
    return process.returncode, output.strip()


def _advisory_locks(environment: dict[str, str]) -> list[tuple[str, bool]]:
    """The advisory locks held or awaited in the environment's database: (mode, granted)."""
    with psycopg.connect(environment["DATABASE_URL"], autocommit=True) as conn:
        cursor = conn.execute(
            "SELECT mode, granted FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        return cursor.fetchall()


def test_mixed_traffic_through_the_pooler_gets_no_server_error(
    pooled_server: ServerProcess,
) -> None:
    """32 concurrent journeys of mixed requests through PgBouncer are each answered as alone."""
    journeys = asyncio.run(_clients(pooled_server.base_url, threading.Event(), JOURNEYS))
    assert journeys == [EXPECTED] * (CLIENTS * JOURNEYS)


def test_four_migrations_under_traffic_all_finish(
    pooled_server: ServerProcess, environment: dict[str, str], tmp_path: Path
) -> None:
    """Four ``moviecore migrate`` at once, while requests flow, all finish, hold no lock after,
    and no request fails meanwhile."""
    with _traffic(pooled_server.base_url) as journeys:
        migrations = [_migrate(environment, tmp_path) for _ in range(MIGRATIONS)]
        outcomes = [_outcome(process) for process in migrations]
    assert (outcomes, _advisory_locks(environment), journeys) == (
        [(0, "moviecore: nothing to apply; the database is up to date")] * MIGRATIONS,
        [],
        [EXPECTED] * len(journeys),
    )


def test_restarting_one_instance_under_traffic(
    environment: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> None:
    """One of two instances restarts while the other serves traffic: it migrates once per
    start (not once per worker), comes back and serves, and no request to either fails."""
    serve = contextmanager(run_server)
    with ExitStack() as stack:
        restarted = stack.enter_context(serve(tmp_path_factory.mktemp("restarted"), environment))
        serving = stack.enter_context(serve(tmp_path_factory.mktemp("serving"), environment))
        with _traffic(serving.base_url) as during:
            restarted.restart()
        after = asyncio.run(_clients(restarted.base_url, threading.Event(), 1))
    migrated = restarted.log().count("the database is up to date")
    assert (migrated, during, after) == (2, [EXPECTED] * len(during), [EXPECTED] * CLIENTS)
